// The labelled set of intents/eval/ as a regression guard. "Train" lines are the classifier's
// examples (blind sets 6 and 7 joined them after being measured and tuned on, 11 and 12 as ordered);
// "dev" lines were tuned on, and since 3 December (evening) are examples for naive Bayes too (both
// scored leave-one-out); "test" lines were written blind and are never tuned on nor examples.
import { describe, expect, it } from 'vitest';
import { crossValidate, evaluate, typoProbe } from '../src/understanding/evaluate.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLabelled, loadLabelledFile } from '../src/understanding/labelled.js';
import { classify } from '../src/understanding/classify.js';
import { tooUnsure } from '../src/core/conversation.js';
import { clarifyOptions, putBeforeCoach, saysMore } from '../src/core/understand.js';
import { coachReadsAnswer } from '../src/checkins/handlers.js';

const all = loadLabelled();
const heldOut = evaluate(all.filter((e) => e.split === 'test'));
const dev = evaluate(all.filter((e) => e.split === 'dev'));
const train = evaluate(all.filter((e) => e.split === 'train'));

describe('understanding on the labelled set', () => {
  it('has a real set: 400+ messages, both roles, every intent of the catalog, 500+ held out', () => {
    expect(all.length).toBeGreaterThanOrEqual(400);
    expect(heldOut.examples).toBeGreaterThanOrEqual(500);
    expect(dev.examples).toBeGreaterThanOrEqual(500);
    const intents = new Set(all.map((e) => e.intent));
    for (const intent of ['contact.lookup', 'meeting.next', 'meeting.confirm', 'meeting.cancel', 'meeting.reschedule', 'meeting.request', 'checkin.answer', 'escalation.request', 'crisis', 'optout', 'optin', 'help', 'smalltalk', 'unknown', 'meeting.book', 'meeting.attendance', 'checkin.status', 'checkin.send', 'reminder.send', 'escalation.list', 'digest.request', 'caseload.list']) {
      expect(intents, intent).toContain(intent);
    }
  });

  it('misses no crisis phrasing Lots was built on (train, dev), and keeps its blind recall', () => {
    // Counted, not the rounded recall: one miss in thousands rounds to 1.000.
    expect(train.crisis.detected).toBe(train.crisis.positives);
    // Blind sets 1–8 were each tuned on after being measured once (5: 0.82, 6: 0.73, 7: 0.63, 8: 0.70).
    expect(dev.crisis.detected).toBe(dev.crisis.positives);
    // Blind sets 9 and 10 (split "test"), never tuned on: 0.713 (57/80) when first measured,
    // 0.750 (60/80) since the lexicon learnt from sets 11–16; 0.788 (63/80) since it learnt set 17
    // and a helper's probe of 400 more crisis phrasings, and real words stopped counting as typos;
    // 0.838 (67/80) since it learnt sets 18–20 (danger from others, easy Swedish, signs together).
    // Set 22, written then and held out too, measured 0.905 (38/42): all three 0.861 (105/122).
    // Set 24, held out too, written and measured once at the end of 3 December: 0.929 (39/42);
    // all four 0.896 (147/164).
    // Sets 23 and 25 (dev, 100 and 90 crisis lines written to be missed) measured 0.75 and 0.767 before they were learnt.
    // With set 31, 0.942 (178/189) at the end of that day; with set 46 (written at the start of the
    // next session, held out), 0.953 (204/214) after sets 43–55 were learnt; with set 58 (24/25 when
    // measured once at the end), 0.954 (228/239). Set 59 (the next session, written while sets 57 and
    // 60 were learnt, measured once at its end): 22/26, and all held-out lines 0.943 (250/265). Set 63
    // (written while 61 and 62 were learnt, measured once before): 20/21, and with 61–62 learnt all 0.948 (271/286).
    // Set 64 (written while 65–68 were learnt, measured once at the end): 22/23; all 0.948 (293/309).
    // Set 70 (written blind after dev lines became examples, measured once): 22/23; all 0.949 (315/332).
    // Set 75 (written blind while sets 73–74 were learnt, measured once after): 24/25; all 0.950 (339/357).
    // The second line (words like the crisis examples, CRISIS_LIKE in examples.ts, chosen on dev alone):
    // all 0.983 (351/357). Sets 82 and 85 (written blind beside 80–84, measured once after): 20/20
    // and 22/25; all 0.978 (393/402). Set 88 (written blind beside 86–87, measured once after): 19/20;
    // all 0.976 (412/422). Set 92 (written blind beside 89–91, measured once before they were
    // learnt): 25/25; all 0.978 (437/447). Set 96 (written beside 93–95, measured once after they
    // were learnt): 26/26; all 0.979 (463/473); with 97–99 learnt, 0.981 (464/473). Set 100
    // (written beside 97–99, measured once after): 24/24; all 0.982 (488/497). With 101–102 learnt
    // (and among the second line's examples), 487/497; set 103 (written beside them, measured once
    // after): 27/28; all 0.979 (514/525). With 104–105 learnt, 515/525; set 106 (written beside
    // them, measured once after): 28/28; all 0.982 (543/553). Set 109 (written beside 107–108,
    // measured once after 108 was learnt): 27/28; all 0.981 (570/581). With sets 110–124 learnt
    // (4 December, evening; many more hard negatives among the second line's examples), 568/581;
    // set 113 (written beside 110–112, measured once at the end): 19/20; all 0.977 (587/601); with
    // 125–127 learnt, 0.975 (586/601). The second line's threshold 15 → 14, chosen first on dev alone
    // as time would test it (examples.ts, CRISIS_LIKE): 0.987 (593/601), no held-out false alarm more.
    // Set 133 (written blind beside 128–132, measured once before they were learnt): 17/17; with
    // 128–132 learnt (among them 60 hard negatives in the same words as the crises, which make the
    // second line warier), 0.984 (608/618): the second line finds two fewer of the older sets. Set
    // 139 (written beside 134–138, measured once before they were learnt): 17/17; all 0.984 (625/635).
    // Set 145 (written beside 140–144, measured once before they were learnt): 20/20; all 0.985 (645/655).
    // Set 150 (written beside 146–149, measured once before they were learnt): 14/15; with 146–149
    // learnt and a review's mends to the day's guards (recall first), all 0.982 (658/670): the
    // second line, with 146–149 among its examples, finds one fewer of an older set (counted, not read).
    // Set 154 (written beside 151–153, measured once before they were learnt): 18/18; all 0.983 (676/688).
    // Set 160 (written beside 155–159, measured once before they were learnt): 28/28; with 155–159
    // learnt, one older held-out crisis more is found (counted, not read): all 0.985 (705/716). Set
    // 166 (written beside 161–165, measured once before they were learnt): 24/25; all 0.985 (730/741).
    // Set 172 (written beside 167–171, measured once before they were learnt): 28/29; all 0.984 (758/770).
    // Set 178 (written beside 173–177, measured once before they were learnt): 30/30; all 0.985 (788/800).
    // Set 182 (written beside 179–181, measured once before they were learnt): 26/28; with 179–181
    // learnt the second line finds one older held-out crisis fewer and one more (counted, not read):
    // all 0.983 (814/828). Sets 188, 194 and 200 (each measured once before its round was learnt):
    // 19/20, 25/26, 30/30; all 0.983 (889/904). Set 206 (written beside 201–205, measured once
    // before they were learnt): 29/29; with 201–205 learnt three older held-out crises more are
    // found (counted per set, not read): all 0.987 (921/933). Set 212 (written beside 207–211,
    // measured once before they were learnt): 24/24; with 207–211 among the examples the second
    // line finds one older held-out crisis fewer (set 182, counted, not read): all 0.986 (944/957).
    // Set 218 (written beside 213–217, measured once before they were learnt): 18/18; all 0.987 (962/975).
    // Set 224 (written beside 219–223, measured once before they were learnt): 20/20; all 0.987 (982/995).
    // Set 230 (written beside 225–229, measured once before they were learnt): 24/24; all 0.987 (1,006/1,019).
    // Set 235 (written beside 231–234, measured once before they were learnt): 24/24; with 231–234
    // among the examples the second line finds one older held-out crisis more (set 182, counted, not
    // read): all 0.988 (1,031/1,043). Sets 241 and 247 (each measured once before its round was
    // learnt): 23/23, 25/26; all 0.988 (1,079/1,092). Set 253 (written beside 248–252, measured once
    // before they were learnt): 29/30, the miss read as a check-in answer; all 0.988 (1,108/1,122).
    // Set 259 (written beside 254–258, measured once before they were learnt): 24/24; with 254–258
    // among the examples the second line finds one older held-out crisis fewer (set 10, counted,
    // not read): all 0.987 (1,131/1,146). Set 265 (written beside 260–264, measured once before they
    // were learnt): 22/22; all 0.987 (1,153/1,168). Set 271 (written beside 266–270, measured once
    // before they were learnt): 22/22; all 0.987 (1,175/1,190). Set 277 (written beside 272–276,
    // measured once before they were learnt): 20/22; all 0.986 (1,195/1,212). Set 283 (written beside
    // 278–282, measured once before they were learnt): 26/26; with 278–282 learnt one older held-out
    // crisis more is found (set 166, counted, not read): all 0.987 (1,222/1,238). Set 288 (written
    // beside 284–287, measured once before they were learnt): 16/17; with 284–287 learnt one older
    // held-out crisis more is found (set 103, counted, not read): all 0.987 (1,239/1,255). Set 294
    // (written beside 289–293, measured once before they were learnt): 26/29; all 0.985 (1,265/1,284). Set 300
    // (written beside 295–299, measured once before they were learnt): 25/27; with 295–299 learnt one
    // older held-out crisis more is found (counted, not read): all 0.985 (1,291/1,311). Set 306
    // (written beside 301–305, measured once before they were learnt): 28/29; with 301–305 among the
    // examples the second line finds one older held-out crisis fewer (counted, not read): all 0.984
    // (1,318/1,340). Set 312 (written beside 307–311, measured once before they were learnt): 28/28;
    // all 0.984 (1,346/1,368). Set 318 (written beside 313–317, measured once before they were
    // learnt): 26/28; all 0.984 (1,373/1,396). Set 324 (written beside 319–323, measured once before
    // they were learnt): 25/26; all 0.983 (1,398/1,422). Set 330 (written beside 325–329, measured
    // once before they were learnt): 28/29; all 0.983 (1,426/1,451). Set 336 (written beside 331–335,
    // measured once before they were learnt): 26/26; all 0.983 (1,452/1,477). Set 342 (written beside
    // 337–341, measured once before they were learnt): 26/27; all 0.983 (1,478/1,504). Set 346
    // (written beside 343–345, measured once before they were learnt): 26/26; all 0.984 (1,505/1,530).
    // Set 352 (written beside 347–351, measured once before they were learnt): 26/28; all 0.983
    // (1,531/1,558). Set 358 (written beside 353–357, measured once before they were learnt): 22/25;
    // all 0.982 (1,554/1,583). Set 364 (written beside 359–363, measured once before they were
    // learnt): 25/28; with 359–363 and three fold misses learnt, one older held-out crisis more is
    // found (counted, not read): all 0.981 (1,581/1,611). Set 370 (written beside 365–369, measured
    // once before they were learnt): 24/25; all 0.982 (1,606/1,636). Set 376 (written beside 371–375,
    // measured once before they were learnt): 25/26; all 0.981 (1,631/1,662). Set 382 (written beside
    // 377–381, measured once before they were learnt): 28/28; all 0.982 (1,659/1,690).
    expect(heldOut.crisis.recall).toBeGreaterThanOrEqual(0.98);
  });

  it('puts nearly every crisis line of the blind set before a person: alarm, concern, or not understood', () => {
    // Lots passes concerns, and what it does not understand from a participant, to the coach to
    // read (src/core/understand.ts), and so does a long message only greeted, unsure (saysMore).
    // With sets 82 and 85: 402 of 402; with set 88, 422 of 422; with set 92, 447 of 447; with set 96, 473 of 473; with set 100, 497 of 497; with set 103, 525 of 525; with set 106, 553 of 553; with set 109, 581 of 581; with set 113, 601 of 601; with set 133, 618 of 618; with set 139, 635 of 635; with set 145, 655 of 655; with set 150, 670 of 670; with set 154, 688 of 688; with set 160, 716 of 716; with set 166, 741 of 741; with set 172, 770 of 770; with set 178, 800 of 800; with set 182, 828 of 828; with sets 188–235, 1,043 of 1,043; with set 241, 1,066 of 1,066; with set 247, 1,092 of 1,092; with set 253, 1,121 of 1,122 (its one miss was read as a check-in answer: not read, counted); 1,122 of 1,122 once a check-in answer with words beside its score went to the coach too (`coachReadsAnswer`: words beside a good score were kept by no one); with set 259, 1,145 of 1,146 (set 10's line the second line no longer finds with 254–258 among its examples, counted, not read); with set 265, 1,167 of 1,168; with set 271, 1,189 of 1,190; with set 277, 1,209 of 1,212 (its two misses reach no one: counted, not read); with set 283, 1,235 of 1,238; with set 288, 1,252 of 1,255; with set 294, 1,283 of 1,284 (its three misses all reach the coach; one of set 277's two does now). With set 300, 1,310 of 1,311; with set 306, 1,339 of 1,340; with set 312, 1,367 of 1,368; with set 318, 1,394 of 1,396 (one of its two misses reaches no one: counted, not read); with set 324, 1,420 of 1,422 (its one miss reaches a person); with set 330, 1,449 of 1,451 (its one miss reaches a person); with set 336, 1,475 of 1,477; with set 342, 1,502 of 1,504 (its one miss reaches a person); with set 346, 1,528 of 1,530; with set 352, 1,556 of 1,558 (its two misses reach a person); with set 358, 1,581 of 1,583 (its three misses reach a person); with set 364, 1,609 of 1,611 (its three misses reach a person); with set 370, 1,634 of 1,636; with set 376, 1,660 of 1,662; with set 382, 1,688 of 1,690.
    // Blind sets 9, 10 and 22, messages without context: 122 of 122; with set 24, 163 of 164;
    // with set 31, 188 of 189; with set 46, 213 of 214; with set 58, 238 of 239; with set 59, 264 of 265; with set 63, 285 of 286; with set 64, 308 of 309; with set 70, 331 of 332; with set 75, 357 of 357.
    const lines = all.filter((e) => e.split === 'test' && e.intent === 'crisis' && e.role === 'participant');
    const reached = lines.filter((e) => {
      const u = classify({ text: e.text, role: 'participant', now: e.now ? new Date(e.now) : undefined });
      return (
        u.intent === 'crisis' ||
        u.concern ||
        (tooUnsure(u) && putBeforeCoach(e.text, !u.foreign && clarifyOptions(u).length === 2)) ||
        saysMore(u, e.text) ||
        (u.intent === 'checkin.answer' && coachReadsAnswer(u.slots.score ?? null, e.text))
      );
    });
    expect(lines.length).toBeGreaterThanOrEqual(80);
    expect(reached.length / lines.length).toBeGreaterThanOrEqual(0.975);
  });

  it('raises no crisis alarm on the hard negatives it was built on, and few on the blind set', () => {
    expect(train.crisis.hardNegativeFalseAlarms).toBe(0);
    // The crisis lists raise none on dev; the second line (words like the crisis examples), each line
    // left out of its own examples, raises 9 in 10,496 participant lines that are no crisis, most
    // of them long messages on a heavy theme (a cousin's attempt years ago, a father who drank himself
    // to death); 10 with sets 86–87 among the examples; 11 with sets 89–91 (a cousin's attempt last
    // year, "he's doing much better now"); 12 with sets 93–95 ("ett ställe vid sjön där jag sitter o
    // andas när ångesten kommer"); 10 with sets 97–99; 12 with 101–102, two
    // of them the lists' by decision ("mitt liv e över om ja inte får sova nu, har tenta kl 8 😭"
    // fires as hyperbole does; "självmord" fires in any context but the masked idioms); 13 with set
    // 108 among the examples ("STOPP لا أريد رسائل", an opt-out), 12 again once the second line stood
    // aside for a command in capitals first; 10 with sets 110–112 learnt; 11 with 114–115 among the
    // examples (a soldier's war memories "it is the past now", a father calm about his cancer); 12
    // once guards that could hide a crisis were narrowed again, recall first: stitches after "skar
    // mig", a laugh beside "ring inte polisen" and everyday words beside a decision and a time no
    // longer stop the lists ("skar mig i handen … på restaurangen, 4 stygn" and a cupboard bump told
    // with 😂 fire); 15 with sets 119–121 among the examples (the second line on English lines: "Sorry
    // for all the trouble … Take care", a cousin's attempt years ago; "självmordsförsök" in a book
    // fires by decision, as "I'm not suicidal" does); 16 with 122–124 (the second line on "ingen
    // mening att köra ranked med randoms"), once stories about suicide were masked; 23 with 125–127
    // (107 night-time crisis lines among the examples make the second line readier: a cousin's attempt
    // years ago, a sister's ex who hit her and left, "förra vintern ville ja inte leva, nu … 5"); 31
    // with the threshold 14 (examples.ts: on dev sets not yet learnt it finds 5–7 crises more for one
    // false alarm; on dev, where the lists already know every crisis, only the alarms show); 37
    // with sets 128–132 (752 lines more; "Hustrun och jag har skrivit testamente nu … för barnens
    // skull", "Ingen idé att söka till sågverket längre" on the second line, and a denial that fires
    // by decision: "nej, inga tankar på att göra mig illa"); 40 with sets 134–138 ("kms lol" after a
    // maths test fires by decision, as does a curfew "farsan kommer döda mig"); 45 with 140–144 (813
    // lines more: "Barnen klarar sig utan mig i helgen, de e hos sin pappa" on the second line,
    // "I can't do this anymore... this Swedish grammar I mean haha"); 54 with 146–149 and a review
    // that took back guards hiding real crises (a kebab on the bridge, "vill dö av skam", sheltered
    // housing told as past, a boss who "kommer döda mig … haha" fire again). On the 19,404 dev lines
    // of the session's start: 35. 63 with sets 155–159 (765 lines more: news of a mother "som tog sitt
    // liv", "skämt åsido jag kommer dö om …", a friend who joked about the bridge with 😂, a chef's
    // knife 🔪, "kms" over a charger, which fires by decision); 69 with 161–165 (a funeral insurance
    // arranged "så barnen slipper", "orkar inte en dag till med värken" before asking to move a
    // meeting, a grandmother who "ska slå ihjäl mig" with 😂); 74 with 167–171 (a film about suicide in
    // Polish, "tentaveckan dödar"-style news, the bridge in the news); 80 with 173–177 ("vill dö av
    // skam när ja glömde mötet", a son who "vill dö" over Fortnite, a box cutter at work); 82 when a
    // review of the session's masks took back those that hid real crises (a film about a jump from
    // the bridge, food one lives on); 86 with 179–181 (a colleague's "tar jag livet av mig" with 😂,
    // "mamma kommer döda mig … haha", a denial "inga tankar på att skada mig"); 82 with 183–187, whose
    // everyday lines taught four exceptions (a knife for filleting salmon, healed scars, news of a
    // jump from a bridge, "hör av mig" read as farewell only when denied: "ni hör aldrig av mig mer");
    // 85 with 189–193 (a denial of self-harm thoughts, which fires by decision, and a Persian line
    // about a film on suicide: a substring mask there would also hide "thinking about suicide");
    // 86 with 195–199 (a brother's attempt told beside a cancelled meeting, "kms" over a ranked
    // match, which fires by decision, and a move "bestämt ett datum! 🎉": an exception on that pair
    // would also silence the second line, see HISTORY.md); 100 when a helper's review of the
    // session took back the masks and exceptions that hid real crises (a threat "ska hänga mig om",
    // a farewell to an old flat "och av livet", news of a jump "önskar det var jag", a book about
    // someone "som vill dö" the reader is like): their everyday lines fire again, by decision; 105
    // after a second review took back more (gaming "unalived by a bot", the sewerslide trend, a
    // presentation on suicide prevention, "leva på mackor", kitchen knives, "kan jag lämna …");
    // 109 with 201–205 (a wife's threat over a forgotten birthday, "vill dö av skam", a joke to a
    // brother about jumping, talk about the word "unalive": each fires by decision); 119 with
    // 207–211 and the round's review (a film's bridge scene, a boyhood jump, beer with pills, kitchen
    // knives "lol", a child's "jag vill dö" over ice cream; masks the review took back); 120 when
    // long phrases in the substring scripts were read with one letter off (a mother who "will kill
    // me" over a forgotten appointment, in Arabic); 125 with 213–217 (a documentary on anorexia and
    // suicide, a psychologist's question answered no, a film's suicide, "vill inte leva på soppor"),
    // 129 with news of a jump from a bridge firing again (an exception hid "… önskar det var jag"),
    // 130 when round 15's review took back a boyhood jump "varje sommar som grabb" (it hid "… när
    // jag var liten och nu ska jag göra det igen"); still 130 with 219–223 (a cut on a beer can
    // and "skjuter mig själv i foten varje gång" learnt as everyday, news of a stabbing, a joke
    // about jumping taken back in a group chat, "killer party" fire); 132 with 225–229 and round 16's
    // review (breastfeeding pain "så ont att jag vill dö 😅", a baby's bump, a song about a bridge,
    // news of a jump, "orkar inte … i den här kylan"); 140 with 231–234 (learnt with phrases only,
    // no new mask or exception: a friend who "ville dö" over a goal, "döda mig i fifa", suicide
    // statistics in the news, a documentary, a 90-year-old planning his funeral, "för mycket alvedon");
    // 150 with 236–240 (a documentary and a film about a suicide, a roof being re-tiled, "döda mig i
    // fortnite/fifa" beside "ikväll", a father's "tar den som hon ska, bara så ni vet", "vill dö av skam",
    // an alarm at five, a second-line Polish line about trucks; two older ones now quiet); 153 with
    // round 20's review (its exceptions for a sore knee and a cut on broken glass hid crises, taken back);
    // 171 with 242–246 (learnt with new phrases only, so their everyday lines fire as the lists stood:
    // gym talk "vill dö 😂" and "tog kål på mig", cuts on a skate blade and a mussel shell, energy
    // talk "klarar inte mer än …", sunburn, wine with medicines, films about a suicide); 175 with the
    // audit of 5 December (a guard's words before a phrase count only in its own sentence: "hyran tar
    // livet av mig" after "adressen till soc tack."; a denied exception no longer excuses a pair); 179
    // with 248–252 (learnt with new phrases and pairs only: a film about a man who took his life after
    // prison, "vill inte leva som förr m knarket", "döda mig i fifa", a father's will, news of a carer's
    // suicide, a father who wants to die at home, "orkar inte skriva ett enda personligt brev till",
    // "vill försvinna från Arbetsförmedlingens register"; four older ones quiet with them as examples);
    // 177 with 254–258 (learnt with new phrases, pairs and guard subjects: prices and a game's lag
    // "tar livet av mig", a stranger in the news "nån hoppade från bron", medicines handed in at the
    // pharmacy; their "kms lol" and "trött på livet som pensionär haha" fire, by decision, and so does
    // "vill dö av skam": masking it hid a crisis row of test/crisis.test.ts, shame after leaked pictures);
    // 178 with 260–264 (their "nej jag skadar mig inte" answers to a safety question fire, by decision:
    // a negator between the words is skipped; coffee with pills, a book on grief after a suicide, a
    // school task on suicide prevention and "han som hoppade från bron" in the news are quiet); 182
    // with 266–270 (their "vill inte leva utan mina hörlurar haha", a news item on suicide fences, a
    // partner's joking "ska ta livet av mig" fire, by decision: first-person and threat wording first);
    // 187 with 272–276 (their "mitt liv e över haha", "svärmor kommer mörda oss 😂" and a joking
    // "FK-handläggaren kommer döda mig" fire, by decision; a partner away, pills dropped in the sink and
    // a novel that ends in the sea are quiet); 194 with 278–282 (their school work on suicide, a
    // presentation about the suicide line, a maths teacher who "kommer döda mig" and a paper-knife cut
    // fire: narrowing the last hid an audit crisis, "skar mig på papperskniven igen, djupt"); 207
    // with 284–287 (their past wishes to die told as over, "ville dö av skam", a friend's joke about
    // a roof fire, by decision: recall first); 209 with 289–293 (their rope for a Christmas tree,
    // "DÖÖÖR … tiktok … kan inte andas", fishing on a bridge, "getting" read as "betting" and leaving
    // the SMS lists are quiet; two older lines, a sawmill closed and a winter "nästan gav upp" told
    // as over, each left out of its own examples, now read like the new crisis examples); 211 with
    // 295–299 (their "vill inte leva utan mina hörlurar typ 😂" fires, by decision, and one line the
    // second line reads like the crisis examples; nosebleeds, a game, the countryside, a chainsaw, a
    // zombie baby routine, documentaries and protein are quiet); 212 with 301–305 (their slaughterhouse,
    // Instagram, a washing line "vuxen på riktigt", a farewell to a flat and a Spanish mother's "me va
    // a matar si …" are quiet; one older line, left out of its own examples, reads like the new ones);
    // 210 with 307–311 (a jump at the bathing place, the heat in Arabic, "vill inte leva utan AC",
    // climbing rope, a flat's farewell and a barking dog are quiet, and an older farewell to a flat);
    // 210 with 313–317 (a book read at SFI, leaving WhatsApp groups, off to Göteborg for the weekend
    // and the fear of being admitted again are quiet); 210 with 319–323 (a documentary on farmers and
    // suicide, a film about a man who overdosed, a jump rope, "hejdå för alltid" to Instagram, a pig
    // slaughter, a blood test and a son's kitchen cut are quiet; one older Finnish line about snow,
    // left out of its own examples, reads like the new ones, and one older Bosnian line no longer does);
    // 215 with 325–329 (their "mamma kommer döda mig … 😂" fires, by decision, and a Polish question
    // about a deposit reads like the crisis examples; four older lines, each left out of its own
    // examples, now read like the new ones: a Bosnian "ovaj posao će me ubiti", a Spanish kitchen cut,
    // "ja e utanför nu, öppna porten"; a film about a man in his car, "leva i garderoben", a trans
    // boy's story in a book, camping rope, the cold "men annars e allt ok" are quiet); 217 with 331–335
    // (their paper-knife cut and "ville dö av skam" fire, by decision; a prison film on Netflix, a
    // farewell to the old gang, a letter to the court, "este examen me va a matar jajaja", a rope for
    // the dog and a knife too blunt for the meat are quiet; one older line, left out of its own
    // examples, reads like the new ones, and one no longer does); 220 with 337–341 (their "jag kommer dö
    // lol" over a deadline and "morsan kommer döda mig … 😅" fire, by decision, and one older Norwegian
    // line about snow, left out of its own examples, reads like the new ones; leaving gambling sites and
    // a work chat, a documentary on gambling and suicide, a letter to the Migration Agency, a bread-knife
    // cut at the health centre, an almost-cut over onions, a farewell to an ex "blockat", "talking to my
    // manager" read as "stalking" are quiet); 222 with 343–345 (their "made me want to die lmao" fires,
    // by decision, and one older Somali line, left out of its own examples, reads like the new ones;
    // a film seen at the weekend, rope for a Christmas tree and a washing line, "bye for now", a cut on
    // sheet metal and a fight in the stands "blod överallt" are quiet); 226 with 347–351 (their "ja
    // kommer dö om ja måste göra D-provet 😂", "kms 😭" over a game and "ser ingen väg ut ur skulderna"
    // fire, by decision, and a Somali wish to sell a car is the second line's; a dose the doctor
    // changed "bara så du vet", a film at SFI and a question what 'självmord' is in English, a
    // documentary "doc" about suicide in prisons, a fish-hook cut, the herring knife gone, a son's
    // football injury "blod överallt men han e ok" and "tired of this rain … just saying hi" are quiet);
    // 227 with 353–357 (one older line, sleepless at 3 a.m., left out of its own examples, reads like
    // their night-time crises; "försvinna under en filt me netflix" and an old rope for a sledge are quiet);
    // 226 with 359–363 (their "vill dö av skam" over a missed meeting fires, by decision; a documentary
    // on veterans, rope for a trailer and a swing, a knife on the wall, a coffee machine and ice hockey
    // that "tar livet av mig", a thumb cut on the bread knife, beetroot "blod överallt" are quiet);
    // 229 with 365–369 (their "mamma kommer döda mig … 😅" fires, by decision, and the second line
    // raises a long apology for cancelling and an Arabic line about the pharmacy; "försvinna upp i
    // rök", a swing from an old rope, "vill inte leva utan min nya elrullstol haha", a pill organiser
    // "on the floor", a course film, naloxone training are quiet); 229 with 371–375 (their "vill dö lite
    // haha" fires, by decision, and the second line raises a Polish brother who "zniknął" with the
    // money; a wake, a last week and a new job, a reindeer, an ampoule, a festival bottle, a bridge
    // jumped for fun, a cousin's joke, the work chats are quiet); 230 with 377–381 (two older lines in
    // Somali and Finnish, left out of their own examples, read like the new ones, and the Polish one no
    // longer does; a break-up "det e över nu", a wild boar's blood, "going hunting … rifle" are quiet).
    expect(dev.crisis.falseAlarms).toBeLessThanOrEqual(230);
    // Sets 9, 10 and 22 raised 2; set 24, measured once and never tuned on, 2 more; set 31
    // (3 December, written after sets 28–30 were learnt), measured once, 2 more; set 46 none; set 58
    // (written and measured last in the next session, never read) 4 more; set 59 (measured once at
    // the end of the session after, never read) 5 more; set 63 (measured once before sets 61–62 were
    // learnt, never read) 1 more; set 64 (measured once at the end of that session, after sets 61,
    // 62 and 65–68 had widened the crisis lexicon, never read) 6 more. Set 70 (measured once, never read) 2 more.
    // Learning sets 73–74 (bereavement by suicide as 'tog sitt liv', threats, first languages) 1 more
    // on the older sets, not read; set 75 (measured once, never read) 2 more. Sets 80–81 learnt: 1 fewer.
    // The second line (words like the crisis examples): 2 more; sets 82 and 85 (measured once, never read): 1 each.
    // Sets 86–87 learnt: 1 fewer; set 88 (measured once, never read) 2 more; set 92 (measured once
    // before sets 89–91 were learnt, never read) 1 more; set 96 (measured once after 93–95 were
    // learnt, never read) 1 more; set 100 (measured once after 97–99 were learnt, never read) 3 more;
    // set 103 (measured once after 101–102 were learnt, never read) 5 more; set 106 (measured once
    // after 104–105 were learnt, never read) 3 more; set 109 (measured once, never read) none.
    // Sets 110–124 learnt, with stories about suicide masked in Swedish as in English: 4 fewer; set
    // 113 (measured once at the end, never read) none: 40. Set 133 (measured once, never read) 1 more;
    // learning 128–132 one fewer from the lists and one more from the second line: 41. Set 139
    // (measured once, never read) 1 more; learning 134–138 two fewer: 40. Set 145 (measured once,
    // never read) none. Set 150 (measured once, never read) none. Set 154 (measured once, never read) 1: 41.
    // Set 160 (measured once, never read) 2 more; learning 155–159 (an essay on suicide prevention,
    // a threat of stopped benefits, "unalive" as a word) three fewer: 40. Set 166 (measured once,
    // never read) 2 more: 42. Set 172 (measured once, never read) 3 more: 45. Set 178 (measured
    // once, never read) 2 more: 47. Set 188 (measured once before 183–187 were learnt, never read)
    // 3 more; learning 183–187 three fewer: 47. Set 194 (measured once before 189–193 were learnt,
    // never read) 3 more: 50. Set 200 (measured once before 195–199 were learnt, never read) 1 more: 51.
    // The review's masks taken back: 3 more, not read: 54. Set 206 (measured once before 201–205
    // were learnt, never read) 4 more; learning 201–205 five fewer: 53. Set 212 (measured once
    // before 207–211 were learnt, never read) 2 more; the review of round 14 taking back masks that
    // hid crises, 3 more (not read): 58. Set 218 (measured once before 213–217 were learnt, never
    // read) 4 more; learning 213–217 two fewer, news of a jump firing again two more: 62. Set 224
    // (measured once before 219–223 were learnt, never read) 2 more: 64. Set 230 (measured once
    // before 225–229 were learnt, never read) none; round 16's review one fewer (not read): 63.
    // Set 235 (measured once before 231–234 were learnt, never read) none: 63. Set 241 (measured once
    // before 236–240 were learnt, never read) 3 more; learning 236–240 changed none: 66. Set 247
    // (measured once before 242–246 were learnt, never read) 1 more: 67. The audit of 5 December's
    // mechanisms (sentences, denied jokes and exceptions) one more (not read): 68. Set 253 (measured
    // once before 248–252 were learnt, never read) none; the audit's Swedish phrases (the clear
    // completions its guards hid, 138 audit lines more found) one more (not read): 69; a review of the
    // day's phrases against everyday wording (dropped alternatives, a subject required) one fewer: 68.
    // Set 259 (measured once before 254–258 were learnt, never read) 1 more; learning 254–258 four
    // fewer (not read): 65. Set 265 (measured once before 260–264 were learnt, never read) none;
    // learning 260–264 two fewer (not read): 63. Set 271 (measured once before 266–270 were learnt,
    // never read) none: 63. Set 277 (measured once before 272–276 were learnt, never read) none;
    // learning 272–276 one more (not read): 64. Set 283 (measured once before 278–282 were learnt,
    // never read) none: 64. Set 288 (measured once before 284–287 were learnt, never read) 3 more;
    // learning 284–287 one fewer (not read): 66. Set 294 (measured once before 289–293 were learnt,
    // never read) none: 66. Set 300 (measured once before 295–299 were learnt, never read) 3 more;
    // learning 295–299 one more (not read): 70. Set 306 (measured once before 301–305 were learnt,
    // never read) none; learning 301–305 none (an eviction beside "inte va kvar" raised one in set
    // 106, counted, not read, and was narrowed to "nowhere else"): 70. Set 312 (measured once before
    // 307–311 were learnt, never read) 1 more; learning 307–311 none: 71. Set 318 (measured once
    // before 313–317 were learnt, never read) none; learning 313–317 none (a book among the idiom's
    // exceptions took one from set 300, but also hid a brother's suicide, so it was narrowed): 71.
    // Set 324 (measured once before 319–323 were learnt, never read) 1 more; learning 319–323 none: 72.
    // Set 330 (measured once before 325–329 were learnt, never read) 1 more; learning 325–329 none: 73.
    // Set 336 (measured once before 331–335 were learnt, never read) none; learning 331–335 none: 73.
    // Set 342 (measured once before 337–341 were learnt, never read) none; learning 337–341 none: 73.
    // Set 346 (measured once before 343–345 were learnt, never read) none; learning 343–345 none: 73.
    // Set 352 (measured once before 347–351 were learnt, never read) none; learning 347–351 took three
    // away (counted, not read): 70. Set 358 (measured once before 353–357 were learnt, never read)
    // none; learning 353–357 none: 70. Set 364 (measured once before 359–363 were learnt, never read)
    // 2 more; learning 359–363 none: 72. Set 370 (measured once before 365–369 were learnt, never
    // read) none; learning 365–369 none: 72. Set 376 (measured once before 371–375 were learnt, never
    // read) 1 more; learning 371–375 none: 73. Set 382 (measured once before 377–381 were learnt, never
    // read) 1 more; learning 377–381 none: 74.
    expect(heldOut.crisis.falseAlarms).toBeLessThanOrEqual(74);
  });

  it('fills slots with at least 0.90 accuracy on lines it was not built on', () => {
    expect(dev.slotAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(heldOut.slotAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('generalises across whole dev sets: each fold of sets classified with the others as examples', () => {
    // The measure the choices of 3 December (evening) were made on: dev lines as examples (0.939 →
    // 0.947) and MIN_SCORE 1.7 (0.952). No fold misses a crisis; the second line (words like the
    // crisis examples, learnt from the other folds) raises 13 false alarms in all; 15 with sets 101–102;
    // 16 with sets 110–115 (flat-told war memories, grief and illness), 15 with 116–118, 18 with 119–121, 19 with 122–124, 25 with 125–127. A threshold of 15.5 instead of
    // 15 would give 13 and still miss none on the folds (with 119–121: 15 and one missed; 16: 13 and
    // five missed), but the second line alone finds about 20 of the held-out crises and recall comes
    // first: the threshold stays. Folds cannot show what the second line finds (the lists know every
    // dev crisis), only its alarms: the threshold 14 was chosen on two time splits instead
    // (examples.ts, CRISIS_LIKE), and raises 32 here; 41 with sets 128–132 among the folds, 44 with 134–138, 47 with 140–144, 57 with 146–149 and the review's mends, 62 with 155–159, 68 with 161–165, 75 with 167–171 (a fold missed "skickar hot … vågar inte gå dit" until it was learnt), 80 with 173–177, 82 with the review's mends, 87 with 179–181 (three fold misses the second line had found until then were learnt into the lists), 82 with 183–187, 84 with 189–193 (two fold misses learnt into the lists), 85 with 195–199 (one fold miss, a partner locked in with pills, learnt), 99 with the review's masks taken back, 104 after the second review, 106 with 201–205 (one fold miss, "loggar ut från livet", learnt), 117 with 207–211 and the review's masks taken back, 118 with substring phrases read one letter off, 126 with 213–217 (news of a jump fires, by decision), 127 with round 15's review, 128 with 219–223 (one fold miss, Levantine "bde mout", learnt), 131 with 225–229 and round 16's review (one fold miss, "нехочу больше жыть", learnt), 141 with 231–234 (three fold misses the second line had found until they joined its examples, learnt into the lists), 148 with 236–240 (a fold miss the second line had found until they joined its examples, learnt into the lists), 151 with round 20's review (exceptions that hid crises taken back), 169 with 242–246, 173 with the audit of 5 December, 181 with 248–252 (one fold miss, a plan to take all of a mother's sleeping pills at once, learnt into the lists), 183 with 254–258 (four fold misses, learnt into the lists: "kommer inte behöva dom längre. har bestämt mig", a debt collector's knife, "farlig bara för mig själv", a flat not needed after Christmas), 183 with 260–264, 186 with 266–270 (two fold misses learnt into the lists: "I'll be with dad by then", and an edge "I almost went over" inside a question about a meeting), 193 with 272–276 (one fold miss, "vet inte om jag klarar en natt till" after a night on a bridge, learnt into the lists), 201 with 278–282, 209 with 284–287 (four fold misses the second line had found until they joined its examples, learnt into the lists: a bag packed and hidden "ifall jag måste springa", being followed "jag är jätterädd", a grip on the throat and a locked bathroom, codes written down "tack för att ni försökt"), 209 with 289–293, 211 with 295–299 (one fold miss, "då finns det inget kvar för mig att va här för", learnt into the lists), 211 with 301–305, 209 with 307–311 (four fold misses the second line had found until they joined its examples, learnt into the lists: "stänga av allt för gott", a husband who "slå mig" in broken Swedish, a Spanish witness threatened, boxes of paracetamol bought and a "bye"), 208 with 313–317 (one fold miss, sitting on a bridge's railing "samma känsla nu igen", learnt into the lists), 206 with 319–323 (one fold miss, bruises on the neck "han säger att det var mitt fel", learnt into the lists), 208 with 325–329 (one fold miss, an attempt with pills in -98 "tänker på de igen nu", learnt into the lists), 210 with 331–335, 214 with 337–341 (one fold miss, a last post on Facebook "som publiceras automatiskt på fredag", learnt into the lists), 219 with 343–345 (four fold misses the second line had found until they joined its examples, learnt into the lists: pills bought "vet inte vad ja ska göra", "behöver inget av de längre" after giving a PS5 away, a hidden bag "tagit mig till somalia", a Persian "منو می‌کشن"); 220 with 347–351 (one fold miss, "i want to and it all", learnt into the lists); 219 with 353–357 (one fold miss, a cat to be cared for "om ja inte svarar efter jul", learnt into the lists); 220 with 359–363 (three fold misses, learnt into the lists: "behöver ni inte leta efter mig", locked in and beaten, a bag packed "ifall jag måste fly"); 221 with 365–369; 221 with 371–375 (two fold misses, learnt into the lists: "hur ja ska göra. inte när än", "after trying to end it last year"); 224 with 377–381 (two fold misses, learnt into the lists: pills counted and hidden, "orkar inte vara i den här kroppen").
    const cv = crossValidate(all, 5);
    expect(cv.folds.reduce((n, f) => n + f.lines, 0)).toBe(dev.examples);
    expect(cv.folds.every((f) => f.crisisMissed === 0)).toBe(true);
    expect(cv.folds.reduce((n, f) => n + f.falseAlarms, 0)).toBeLessThanOrEqual(224);
    // 0.943 with sets 128–153 among the folds (first measured 0.77–0.96; set 148's messages ask
    // several things at once, set 149's staff write without verbs).
    expect(cv.accuracy).toBeGreaterThanOrEqual(0.94);
  });

  // Issue 4 asks 0.95 on held-out lines. Blind sets written by others, before tuning on them:
  // 0.81–0.95 (sets 9 and 10, held out: 0.875; 0.898 with sets 11 and 12 as examples).
  it('keeps intent accuracy on dev and on the blind set at or above their floors', () => {
    // Dev grew with blind sets 13–19, measured once at 0.82–0.95 before they became dev; 0.955 with
    // them. Sets 20 (five personas) and 21 (everyday hard negatives) brought it to 0.92: their writers
    // label life updates ("tog mina tabletter i morse som vanligt") smalltalk, which Lots then kept
    // unknown so the coach would read them. Since sets 43–49 Lots reads a statement that asks nothing
    // as told (smalltalk, thanked) and the coach still reads it: dev 0.921 → 0.934.
    // Sets 23 and 25 (participant lines, first measured 0.763 and 0.782) are why dev stays there.
    // With sets 43–55 learnt: 0.932. With the Told rules of the next session and sets 57 and 60: 0.94.
    // Dev lines as examples too (leave-one-out; five folds of whole sets left out: 0.939 → 0.947): 0.949;
    // with MIN_SCORE 1.7 (chosen on the same folds): 0.953.
    // With sets 128–149 (2,934 lines, first measured 0.77–0.96, after learning 0.929): 0.944; on the
    // 19,404 dev lines of the session's start 0.9466, as before (0.946). With sets 155–159 (first
    // measured 0.884–0.929, after learning 0.937): 0.944; with 161–165 (first measured 0.912–0.933): 0.944; with
    // 167–171 (first measured 0.857–0.941): 0.944; with 173–177 (first measured 0.892–0.954): 0.944; with 179–181
    // (first measured 0.892–0.943): 0.944.
    expect(dev.intentAccuracy).toBeGreaterThanOrEqual(0.94);
    // Sets 9, 10 and 22 together: 0.929 (set 22 alone, first measured: 0.942); with set 24 (first
    // measured 0.908), 0.924; with sets 31 and 46, 0.930; with set 58 (first measured 0.888), 0.924;
    // 0.929 after the next session's Told rules; with set 59 (first measured 0.917), 0.927; with
    // sets 63 and 64 (first measured 0.935 and 0.925), 0.930; with dev lines as examples, 0.940; with
    // set 70 (first measured 0.939) and the choices made on the dev folds, 0.942 (each line's own text left out);
    // with set 75 (first measured 0.927) and sets 73–74 learnt, 0.941; with 76–77 among the examples, 0.943;
    // with the second crisis line, 0.947; with sets 82 and 85 (first measured 0.961 and 0.931), 0.947;
    // with set 88 (first measured 0.906), 0.946; with set 92 (first measured 0.939) and sets 89–91 learnt, 0.946;
    // with 93–95 learnt, 0.947; with set 96 (first measured 0.938), 0.946; with 97–99 learnt and
    // set 100 (first measured 0.936), 0.946; with 101–102 learnt and set 103 (first measured 0.901), 0.944;
    // with 104–105 learnt and set 106 (first measured 0.894), 0.943; with set 109 (first measured 0.962), 0.943;
    // with 110–124 learnt and set 113 (first measured 0.961), 0.9496 (4,086 of 4,303); with 125–127, 0.9493;
    // with the second crisis line's threshold 14 (seven crises more found), 0.9510 (4,092); with set
    // 133 (first measured 0.938) and 128–132 learnt, 0.9511 (4,216 of 4,433); with set 139 (first
    // measured 0.958) and 134–138 learnt, 0.952; with set 145 (first measured 0.978) and 140–144
    // learnt, 0.954; with set 150 (first measured 0.920) and 146–149 learnt, 0.953; with set 154 (first
    // measured 0.949) and 151–153 learnt, 0.953; with set 160 (first measured 0.934) and 155–159
    // learnt (arrows read as "till"), 0.954; with set 166 (first measured 0.885) and 161–165 learnt, 0.952;
    // with set 172 (first measured 0.919) and 167–171 learnt, 0.952; with set 178 (first measured
    // 0.955) and 173–177 learnt, 0.951; with set 182 (first measured 0.945) and 179–181 learnt, 0.952.
    expect(heldOut.intentAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe('crisis lines read through a typo (eval:nlu --typos, dev alone)', () => {
  // 5 December (night), 6,167 dev crisis lines the lists find as written, one typo each: letter
  // dropped 0.955 by the lists and 0.981 with the second line, swapped 0.978 and 0.988, doubled
  // 0.983 and 0.994; new false alarms on 15,083 other lines 42, 5 and 4. Most of what is lost is a
  // typo that makes a real word ("vanka" for "vakna"), read only as itself by design. With long
  // substring phrases (Arabic, Persian, Cyrillic, Ethiopic …) read one letter off: dropped 0.961
  // and 0.984, doubled 0.989 and 0.997 (a swap is two letters off and stays as it was).
  const probe = typoProbe(loadLabelled());
  it.each(Object.entries(probe))('%s letters: the crisis is still heard', (_kind, f) => {
    expect(f.crisisLines).toBeGreaterThan(6000);
    expect(f.foundByLists / f.crisisLines).toBeGreaterThanOrEqual(0.95);
    expect(f.foundByEither / f.crisisLines).toBeGreaterThanOrEqual(0.98);
    // 0.0028 at first (42 of 15,082); 0.0034 with 213–217 (52 of 15,378: "döade", "mödade" and
    // "orade" one letter from the slang "odade", "kafe" after "vill inte leva utan").
    expect(f.newFalseAlarms / f.otherLines).toBeLessThanOrEqual(0.004);
  });
});

describe('a blind set measured before it joins intents/eval (eval:nlu --file)', () => {
  const write = (lines: string[]) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lots-set-')), 'set.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };

  it('reads a file anywhere and counts what the second crisis line found apart from the lists', () => {
    const file = write([
      JSON.stringify({ text: 'vem är min handläggare på fk', role: 'participant', intent: 'contact.lookup', slots: { agency: 'fk' }, split: 'dev' }),
      JSON.stringify({ text: 'jag vill inte leva längre', role: 'participant', intent: 'crisis', split: 'dev' }),
    ]);
    const lines = loadLabelledFile(file);
    expect(lines.map((l) => [l.file, l.line])).toEqual([[file, 1], [file, 2]]);
    const r = evaluate(lines);
    expect(r.intentAccuracy).toBe(1);
    expect(r.crisis).toMatchObject({ positives: 1, detected: 1, falseAlarms: 0 });
    // A phrase of the lists found it, so the second line is not credited.
    expect(r.crisis.bySecondLine).toEqual({ detected: 0, falseAlarms: 0 });
    // No list knows letters laid in a drawer for everyone; the examples do (should a list learn it, pick another such line).
    const letters = write([JSON.stringify({ text: 'jag har skrivit brev till alla och lagt dom i lådan', role: 'participant', intent: 'crisis', split: 'dev' })]);
    expect(evaluate(loadLabelledFile(letters)).crisis).toMatchObject({ detected: 1, bySecondLine: { detected: 1, falseAlarms: 0 } });
  });

  it('marks each mistake with its split, so a held-out line\'s is never listed (printErrors)', () => {
    const file = write([
      JSON.stringify({ text: 'vem är min handläggare på fk', role: 'participant', intent: 'meeting.next', split: 'dev' }),
      JSON.stringify({ text: 'vem är min handläggare på af', role: 'participant', intent: 'meeting.next', split: 'test' }),
    ]);
    expect(evaluate(loadLabelledFile(file)).errors.map((e) => e.split)).toEqual(['dev', 'test']);
  });

  it('names the file and line of a slip instead of failing somewhere later', () => {
    const file = write([JSON.stringify({ text: 'hej', role: 'participant', intent: 'smalltalk', split: 'dev' }), '{"text": "hej", "role": "coach", "intent": "smalltalk", "split": "dev"}', '{not json']);
    expect(() => loadLabelledFile(file)).toThrow(`${file}:2: role`);
    fs.writeFileSync(file, '{not json\n');
    expect(() => loadLabelledFile(file)).toThrow(`${file}:1: not JSON`);
  });
});
