/*
 * Lots – simulator page.
 *
 * Plain browser JavaScript, no build step, no dependencies. The page is served
 * under a strict Content-Security-Policy, so this file never uses inline
 * styles, inline handlers or innerHTML: every piece of data goes in through
 * textContent.
 *
 * Server endpoints used (all JSON):
 *   GET  /sim/people                    demo participants and staff (for the pickers)
 *   POST /sim/sms          {from,text}  -> {replies:[{to,text,segments,encoding}]}
 *   POST /sim/staff        {from,text}  -> {replies:[{text,buttons?,attachments?}]}
 *   POST /sim/staff/action {from,actionId,value} -> same shape as /sim/staff
 *   GET  /sim/outbox[?to=] -> {messages:[{channel,to,text,sentAt}]}, oldest first
 *   GET  /sim/clock        -> {now}
 *   POST /sim/clock        {advance:"PT1H"} | {set:"ISO"} -> {now, ...}
 *   Errors: 4xx/5xx with {error:"reason"}.
 */
'use strict';

(function () {
  var TZ = 'Europe/Stockholm';
  var POLL_MS = 2000;
  var OUTBOX_MAX_ROWS = 500;

  // ------------------------------------------------------------------ helpers

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clearChildren(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        fn.apply(null, args);
      }, ms);
    };
  }

  /** Runs async tasks one after another (keeps message order per panel). */
  function makeQueue() {
    var tail = Promise.resolve();
    return function (task) {
      var run = tail.then(task, task);
      tail = run.catch(function () {});
      return run;
    };
  }

  // ---------------------------------------------------------------- HTTP API

  function ApiError(message, status) {
    this.name = 'ApiError';
    this.message = message;
    this.status = status;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;

  function api(method, path, body) {
    var init = {
      method: method,
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin'
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(
      function (res) {
        return res.text().then(
          function (raw) { return handle(res, raw); },
          function () { return handle(res, ''); }
        );
      },
      function () {
        setConnected(false);
        throw new ApiError('Kunde inte nå Lots-servern. Körs den fortfarande?', 0);
      }
    );

    function handle(res, raw) {
      var data = null;
      if (raw) {
        try { data = JSON.parse(raw); } catch (e) { data = null; }
      }
      setConnected(true);
      if (!res.ok) {
        var reason = '';
        if (data && typeof data.error === 'string' && data.error) reason = data.error;
        else if (data && data.error && typeof data.error.message === 'string') reason = data.error.message;
        else if (data && typeof data.message === 'string' && data.message) reason = data.message;
        else if (raw && raw.length < 300 && raw.charAt(0) !== '<') reason = raw;
        else reason = 'Servern svarade ' + res.status + (res.statusText ? ' ' + res.statusText : '');
        throw new ApiError(reason, res.status);
      }
      return data && typeof data === 'object' ? data : {};
    }
  }

  function errorText(err) {
    if (err && typeof err.message === 'string' && err.message) return err.message;
    return String(err || 'Okänt fel');
  }

  var connEl = null;
  var connState = null;
  function setConnected(ok) {
    if (!connEl || connState === ok) return;
    connState = ok;
    connEl.textContent = ok ? 'Ansluten' : 'Ingen kontakt med servern';
    connEl.className = 'conn ' + (ok ? 'conn-ok' : 'conn-down');
  }

  function showError(node, message) {
    if (!node) return;
    node.textContent = message;
    node.hidden = false;
  }

  function clearError(node) {
    if (!node) return;
    node.textContent = '';
    node.hidden = true;
  }

  // ------------------------------------------------------------ time & dates

  var fmtParts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: TZ,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  });

  var fmtNumeric = new Intl.DateTimeFormat('sv-SE', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23'
  });

  function partsOf(fmt, date) {
    var out = {};
    fmt.formatToParts(date).forEach(function (p) {
      if (p.type !== 'literal') out[p.type] = p.value;
    });
    return out;
  }

  function stripDot(s) {
    return String(s || '').replace(/\.$/, '');
  }

  function toDate(value) {
    if (value instanceof Date) return isNaN(value.getTime()) ? null : value;
    if (value === undefined || value === null || value === '') return null;
    var d = new Date(value);
    return isNaN(d.getTime()) ? null : d;
  }

  /** "mån 23 nov 2026 09:00" in Europe/Stockholm. */
  function formatClock(date) {
    var p = partsOf(fmtParts, date);
    var hour = p.hour === '24' ? '00' : p.hour;
    return stripDot(p.weekday) + ' ' + p.day + ' ' + stripDot(p.month) + ' ' + p.year + ' ' +
      hour + ':' + p.minute;
  }

  /** "mån 23 nov 09:00", with the year only when it differs from the simulated now. */
  function formatShort(date) {
    var p = partsOf(fmtParts, date);
    var hour = p.hour === '24' ? '00' : p.hour;
    var now = toDate(state.now);
    var withYear = now && partsOf(fmtParts, now).year !== p.year;
    return stripDot(p.weekday) + ' ' + p.day + ' ' + stripDot(p.month) +
      (withYear ? ' ' + p.year : '') + ' ' + hour + ':' + p.minute;
  }

  function wallParts(date) {
    var p = partsOf(fmtNumeric, date);
    return {
      y: +p.year, mo: +p.month, d: +p.day,
      h: p.hour === '24' ? 0 : +p.hour, mi: +p.minute, s: +p.second
    };
  }

  /** Offset of Europe/Stockholm from UTC at an instant, in ms. */
  function tzOffset(ms) {
    var w = wallParts(new Date(ms));
    var asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
    return asUtc - Math.floor(ms / 1000) * 1000;
  }

  /** Stockholm wall-clock time -> UTC instant (ms). */
  function stockholmToUtc(y, mo, d, h, mi) {
    var guess = Date.UTC(y, mo - 1, d, h, mi);
    var t = guess - tzOffset(guess);
    var t2 = guess - tzOffset(t);
    return t2;
  }

  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }

  /** Value for <input type="datetime-local"> showing the Stockholm wall time. */
  function toLocalInputValue(date) {
    var w = wallParts(date);
    return w.y + '-' + pad2(w.mo) + '-' + pad2(w.d) + 'T' + pad2(w.h) + ':' + pad2(w.mi);
  }

  // ---------------------------------------------------------- SMS encoding

  var GSM_BASIC =
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  var GSM_EXT = '^{}\\[~]|€\f';

  /** Local estimate, used only when the server did not tell us. */
  function smsInfo(text) {
    var s = String(text || '');
    var septets = 0;
    var gsm = true;
    for (var i = 0; i < s.length; i++) {
      var ch = s.charAt(i);
      if (GSM_BASIC.indexOf(ch) >= 0) septets += 1;
      else if (GSM_EXT.indexOf(ch) >= 0) septets += 2;
      else { gsm = false; break; }
    }
    if (gsm) {
      return { segments: septets <= 160 ? 1 : Math.ceil(septets / 153), encoding: 'GSM-7' };
    }
    var units = s.length; // UTF-16 code units
    return { segments: units <= 70 ? 1 : Math.ceil(units / 67), encoding: 'UCS-2' };
  }

  function encodingLabel(enc) {
    var e = String(enc || '');
    if (/gsm/i.test(e)) return 'GSM-7';
    if (/ucs|utf-?16|unicode/i.test(e)) return 'UCS-2';
    return e;
  }

  function segmentLabel(segments, encoding) {
    var parts = [];
    if (typeof segments === 'number' && isFinite(segments)) {
      parts.push(segments + ' segment');
    }
    var enc = encodingLabel(encoding);
    if (enc) parts.push(enc);
    return parts.join(' · ');
  }

  // ------------------------------------------------------------------ state

  var state = {
    now: null,              // simulated time, ISO string
    nowYear: null,          // its year in Stockholm
    people: { participants: [], staff: [] },
    peopleLoaded: false,
    outboxSeq: 0,           // increasing number given to each outbox fetch
    outboxRendered: [],     // keys of the rows currently in #outbox
    clockDirty: false       // user is editing the datetime-local input
  };

  function normalizePhone(value) {
    var t = String(value || '').trim();
    var c = t.replace(/[\s\-().\/]/g, '');
    if (/^00\d{6,}$/.test(c)) return '+' + c.slice(2);
    if (/^0\d{6,}$/.test(c)) return '+46' + c.slice(1);
    if (/^\+\d{4,}$/.test(c)) return c;
    return t;
  }

  function normalizeEmail(value) {
    return String(value || '').trim().toLowerCase();
  }

  function participantByPhone(phone) {
    var key = normalizePhone(phone);
    var list = state.people.participants;
    for (var i = 0; i < list.length; i++) {
      if (normalizePhone(list[i].phone) === key) return list[i];
    }
    return null;
  }

  function staffByEmail(email) {
    var key = normalizeEmail(email);
    var list = state.people.staff;
    for (var i = 0; i < list.length; i++) {
      if (normalizeEmail(list[i].email) === key) return list[i];
    }
    return null;
  }

  var ROLE_LABELS = {
    coach: 'coach',
    teamlead: 'teamledare',
    admin: 'administratör'
  };

  var LANGUAGE_LABELS = {
    sv: 'svenska', en: 'engelska', ar: 'arabiska', so: 'somaliska', ti: 'tigrinja',
    fa: 'persiska', prs: 'dari', ps: 'pashto', ku: 'kurdiska', pl: 'polska',
    fi: 'finska', uk: 'ukrainska', ru: 'ryska', tr: 'turkiska', es: 'spanska',
    de: 'tyska', fr: 'franska', bs: 'bosniska', sr: 'serbiska', hr: 'kroatiska'
  };

  function languageLabel(code) {
    if (!code) return '';
    return LANGUAGE_LABELS[String(code).toLowerCase()] || String(code);
  }

  /**
   * A conversation with one phone number / one email. `received` is what the
   * outbox says Lots sent to that address (oldest first); `sent` is what this
   * page session sent, each placed before the received message at `anchor`.
   */
  function newThread() {
    return {
      received: [],
      receivedSeq: -1,
      loaded: false,
      sent: [],
      metaByIndex: {},       // outbox index -> {segments, encoding} | {buttons}
      pressed: {},           // "itemId|actionId|value" -> true
      renderedSig: null
    };
  }

  // ----------------------------------------------------------------- panels

  var panels = {};

  function setupPanel(kind) {
    var isSms = kind === 'sms';
    var p = {
      kind: kind,
      endpoint: isSms ? '/sim/sms' : '/sim/staff',
      fromForm: $(kind + '-from-form'),
      fromInput: $(kind + '-from'),
      personSelect: $(kind + '-person'),
      datalist: $(kind + '-people'),
      who: $(kind + '-who'),
      form: $(kind + '-form'),
      textInput: $(kind + '-text'),
      sendBtn: $(kind + '-send'),
      threadEl: $(kind + '-thread'),
      errorEl: $(kind + '-error'),
      canon: isSms ? normalizePhone : normalizeEmail,
      matchesChannel: isSms
        ? function (m) { return m && String(m.channel || '').toLowerCase() === 'sms'; }
        : function (m) { return m && String(m.channel || '').toLowerCase() !== 'sms'; },
      threads: {},
      currentKey: '',
      pendingCount: 0,
      queue: makeQueue()
    };
    panels[kind] = p;

    p.fromForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      switchTo(p, p.fromInput.value);
      p.textInput.focus();
    });
    p.fromInput.addEventListener('change', function () {
      switchTo(p, p.fromInput.value);
    });
    var typed = debounce(function () {
      if (looksComplete(p, p.fromInput.value)) switchTo(p, p.fromInput.value);
    }, 700);
    p.fromInput.addEventListener('input', typed);

    p.personSelect.addEventListener('change', function () {
      var v = p.personSelect.value;
      if (!v) {
        p.fromInput.focus();
        p.fromInput.select();
        return;
      }
      p.fromInput.value = v;
      switchTo(p, v);
    });

    p.form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      sendText(p);
    });

    renderThread(p, true);
    return p;
  }

  function looksComplete(p, value) {
    var key = p.canon(value);
    if (p.kind === 'sms') return /^\+\d{8,15}$/.test(key);
    return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(key);
  }

  function getThread(p, key) {
    var t = p.threads[key];
    if (!t) {
      t = newThread();
      p.threads[key] = t;
    }
    return t;
  }

  function updateWho(p) {
    var key = p.currentKey;
    var text;
    if (p.kind === 'sms') {
      if (!key) text = 'Inget nummer valt';
      else {
        var person = participantByPhone(key);
        if (person) {
          text = person.name + ' · ' + key;
          if (person.language && String(person.language).toLowerCase() !== 'sv') {
            text += ' · ' + languageLabel(person.language);
          }
        } else {
          text = 'Okänt nummer · ' + key;
        }
      }
    } else {
      if (!key) text = 'Ingen vald';
      else {
        var staff = staffByEmail(key);
        text = staff
          ? staff.name + (staff.role ? ' (' + (ROLE_LABELS[staff.role] || staff.role) + ')' : '')
          : 'Okänd användare · ' + key;
      }
    }
    p.who.textContent = text;
  }

  function syncPersonSelect(p) {
    var key = p.currentKey;
    var value = '';
    var opts = p.personSelect.options;
    for (var i = 0; i < opts.length; i++) {
      if (opts[i].value && p.canon(opts[i].value) === key) {
        value = opts[i].value;
        break;
      }
    }
    if (p.personSelect.value !== value) p.personSelect.value = value;
  }

  /** Shows the conversation with another number/email; reloads it from the outbox. */
  function switchTo(p, rawValue, force) {
    var key = p.canon(rawValue);
    if (key === p.currentKey && !force) return;
    p.currentKey = key;
    clearError(p.errorEl);
    syncPersonSelect(p);
    updateWho(p);
    renderThread(p, true);
    if (key) {
      loadThread(p, key).catch(function (err) {
        if (p.currentKey === key) showError(p.errorEl, errorText(err));
      });
    }
  }

  function matchesKey(p, m, key) {
    return p.matchesChannel(m) && p.canon(m.to) === key;
  }

  /** Applies a list of outbox messages for one address if it is not older than what we have. */
  function applyReceived(p, key, messages, seq) {
    var t = getThread(p, key);
    if (seq < t.receivedSeq) return false;
    t.receivedSeq = seq;
    t.received = messages;
    t.loaded = true;
    return true;
  }

  /** GET /sim/outbox?to=<key> for one conversation. Resolves to the number of received messages. */
  function loadThread(p, key) {
    var seq = ++state.outboxSeq;
    return api('GET', '/sim/outbox?to=' + encodeURIComponent(key)).then(function (data) {
      var list = Array.isArray(data.messages) ? data.messages : [];
      var mine = list.filter(function (m) { return matchesKey(p, m, key); });
      applyReceived(p, key, mine, seq);
      if (p.currentKey === key) renderThread(p, false);
      return getThread(p, key).received.length;
    });
  }

  // ----------------------------------------------------------- sending

  function sendText(p) {
    var text = p.textInput.value;
    if (!text.trim()) {
      p.textInput.focus();
      return;
    }
    var raw = p.fromInput.value;
    var key = p.canon(raw);
    if (!key) {
      showError(p.errorEl, p.kind === 'sms'
        ? 'Välj en deltagare eller skriv ett telefonnummer först.'
        : 'Välj en person eller skriv en e-postadress först.');
      p.fromInput.focus();
      return;
    }
    if (key !== p.currentKey) switchTo(p, raw);
    clearError(p.errorEl);
    p.textInput.value = '';
    p.textInput.focus();

    var entry = newSentEntry(p, key, text, false);
    deliver(p, key, entry, p.endpoint, { from: key, text: text });
  }

  function pressButton(p, key, itemId, button) {
    var pressKey = itemId + '|' + button.actionId + '|' + button.value;
    var t = getThread(p, key);
    t.pressed[pressKey] = true;
    var label = button.label || button.value || button.actionId || 'Knapp';
    var entry = newSentEntry(p, key, label, true);
    entry.pressKey = pressKey;
    clearError(p.errorEl);
    deliver(p, key, entry, '/sim/staff/action', {
      from: key,
      actionId: button.actionId,
      value: button.value
    });
  }

  function newSentEntry(p, key, text, isAction) {
    var t = getThread(p, key);
    var entry = {
      id: 's' + (t.sent.length + 1),
      text: text,
      action: isAction,
      at: state.now,
      anchor: t.received.length,
      pending: true,
      failed: false,
      error: '',
      extra: []
    };
    t.sent.push(entry);
    if (p.currentKey === key) renderThread(p, true);
    return entry;
  }

  function deliver(p, key, entry, path, body) {
    var t = getThread(p, key);
    p.pendingCount++;
    setBusy(p);
    return p.queue(function () {
      // Know what was already there, so the replies can be told apart.
      var ready = t.loaded ? Promise.resolve() : loadThread(p, key).catch(function () {});
      return ready.then(function () { return post(); });
    }).catch(function (err) {
      if (window.console) console.error(err);
    }).then(function () {
      p.pendingCount--;
      setBusy(p);
      if (p.currentKey === key) renderThread(p, true);
      refreshAll();
    });

    function post() {
      var before = t.received.length;
      var known = t.loaded;
      entry.anchor = Math.max(entry.anchor, before);
      return api('POST', path, body).then(function (data) {
        var replies = Array.isArray(data.replies) ? data.replies : [];
        entry.pending = false;
        entry.at = entry.at || state.now;
        if (p.currentKey === key) renderThread(p, false);
        return loadThread(p, key).then(
          function () { placeReplies(p, t, entry, replies, known ? before : 0, true); },
          function () { placeReplies(p, t, entry, replies, before, false); }
        );
      }, function (err) {
        entry.pending = false;
        entry.failed = true;
        entry.error = errorText(err);
        if (entry.pressKey) delete t.pressed[entry.pressKey];
        if (p.currentKey === key) showError(p.errorEl, entry.error);
      });
    }
  }

  /**
   * Finds the replies of a POST in the (reloaded) outbox so they are shown
   * exactly once, right after the message that caused them. Replies the
   * outbox does not list are kept with the sent message.
   */
  function placeReplies(p, t, entry, replies, before, outboxOk) {
    var used = {};
    var firstIdx = -1;
    var extra = [];
    if (outboxOk) {
      // The replies are the newest messages to this address: match them from
      // the end, never before what was already there when we sent.
      var start = Math.min(before, t.received.length);
      var limit = t.received.length;
      var missing = [];
      for (var ri = replies.length - 1; ri >= 0; ri--) {
        var r = replies[ri];
        var text = String(r && r.text !== undefined && r.text !== null ? r.text : '');
        var found = -1;
        for (var i = limit - 1; i >= start; i--) {
          if (!used[i] && String(t.received[i].text) === text) { found = i; break; }
        }
        if (found >= 0) {
          used[found] = true;
          limit = found;
          t.metaByIndex[found] = replyMeta(r);
          if (firstIdx < 0 || found < firstIdx) firstIdx = found;
        } else {
          missing.unshift(r);
        }
      }
      extra = missing;
    } else {
      extra = replies.slice();
    }
    entry.extra = extra.map(function (r) {
      return {
        text: r && r.text !== undefined ? String(r.text) : '',
        sentAt: (r && r.sentAt) || state.now,
        segments: r && r.segments,
        encoding: r && r.encoding,
        buttons: r && Array.isArray(r.buttons) ? r.buttons : null
      };
    });
    if (firstIdx >= 0) entry.anchor = firstIdx;
    else if (outboxOk) entry.anchor = t.received.length;
    else entry.anchor = before;
  }

  function replyMeta(r) {
    var m = {};
    if (r && typeof r.segments === 'number') m.segments = r.segments;
    if (r && r.encoding) m.encoding = r.encoding;
    if (r && Array.isArray(r.buttons)) m.buttons = r.buttons;
    return m;
  }

  function setBusy(p) {
    var busy = p.pendingCount > 0;
    p.sendBtn.setAttribute('aria-busy', busy ? 'true' : 'false');
    p.sendBtn.classList.toggle('is-busy', busy);
  }

  // ---------------------------------------------------------- rendering

  /** Builds the ordered list of bubbles for a thread. */
  function threadItems(p, t) {
    var items = [];
    var sent = t.sent.map(function (e, i) { return { e: e, i: i }; });
    sent.sort(function (a, b) { return a.e.anchor - b.e.anchor || a.i - b.i; });
    var si = 0;

    function pushSent(entry) {
      items.push({
        dir: 'out',
        id: entry.id,
        text: entry.text,
        action: entry.action,
        at: entry.at,
        pending: entry.pending,
        failed: entry.failed,
        error: entry.error
      });
      entry.extra.forEach(function (r, j) {
        items.push(receivedItem(p, t, entry.id + '.' + j, r, r));
      });
    }

    for (var i = 0; i <= t.received.length; i++) {
      while (si < sent.length && sent[si].e.anchor <= i) pushSent(sent[si++].e);
      if (i < t.received.length) {
        items.push(receivedItem(p, t, 'r' + i, t.received[i], t.metaByIndex[i] || {}));
      }
    }
    while (si < sent.length) pushSent(sent[si++].e);
    return items;
  }

  function receivedItem(p, t, id, msg, meta) {
    var text = msg && msg.text !== undefined && msg.text !== null ? String(msg.text) : '';
    var item = { dir: 'in', id: id, text: text, at: msg && msg.sentAt };
    if (p.kind === 'sms') {
      var segments = typeof msg.segments === 'number' ? msg.segments : meta.segments;
      var encoding = msg.encoding || meta.encoding;
      if (typeof segments !== 'number' || !encoding) {
        var est = smsInfo(text);
        if (typeof segments !== 'number') segments = est.segments;
        if (!encoding) encoding = est.encoding;
      }
      item.smsInfo = segmentLabel(segments, encoding);
    } else {
      var buttons = Array.isArray(msg.buttons) ? msg.buttons : meta.buttons;
      if (Array.isArray(buttons) && buttons.length) {
        item.buttons = buttons.map(function (b) {
          var pk = id + '|' + b.actionId + '|' + b.value;
          return {
            actionId: b.actionId,
            value: b.value,
            label: b.label !== undefined && b.label !== null ? String(b.label) : String(b.value),
            pressed: !!t.pressed[pk]
          };
        });
      }
      if (Array.isArray(msg.attachments) && msg.attachments.length) item.attachments = msg.attachments;
    }
    return item;
  }

  function emptyHint(p) {
    if (!p.currentKey) {
      return p.kind === 'sms'
        ? 'Välj en deltagare eller skriv ett telefonnummer ovanför telefonen.'
        : 'Välj en person eller skriv en e-postadress ovanför chatten.';
    }
    return p.kind === 'sms'
      ? 'Inga SMS ännu. Prova till exempel ”vem är min handläggare på FK?” eller ”när är mitt nästa möte?”.'
      : 'Inga meddelanden ännu. Prova till exempel ”kontakter för Anna Andersson” eller ”boka möte”.';
  }

  function renderThread(p, scrollToEnd) {
    var key = p.currentKey;
    var t = key ? getThread(p, key) : null;
    var items = t ? threadItems(p, t) : [];
    var sig = key + '\u0001' + JSON.stringify(items) + '\u0001' + (t && t.loaded ? 1 : 0);
    if (p.renderedSig === sig) {
      if (scrollToEnd) scrollBottom(p.threadEl);
      return;
    }
    var prevKey = p.renderedKey;
    p.renderedSig = sig;
    p.renderedKey = key;

    var box = p.threadEl;
    var prevScroll = box.scrollTop;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 48;
    var activeId = document.activeElement && box.contains(document.activeElement)
      ? document.activeElement.getAttribute('data-focus-id') : null;

    clearChildren(box);
    if (!items.length) {
      box.appendChild(el('p', 'empty-hint', key && t && !t.loaded ? 'Hämtar…' : emptyHint(p)));
    }
    items.forEach(function (item) {
      box.appendChild(renderBubble(p, key, item));
    });

    if (activeId) {
      var again = box.querySelector('[data-focus-id="' + cssEscape(activeId) + '"]');
      if (again) again.focus();
    }
    if (scrollToEnd || nearBottom || prevKey !== key) scrollBottom(box);
    else box.scrollTop = prevScroll;
  }

  function cssEscape(s) {
    if (window.CSS && typeof window.CSS.escape === 'function') return window.CSS.escape(s);
    return String(s).replace(/["\\]/g, '\\$&');
  }

  function scrollBottom(box) {
    box.scrollTop = box.scrollHeight;
  }

  function renderBubble(p, key, item) {
    var cls = 'msg ' + item.dir;
    if (item.action) cls += ' action';
    if (item.pending) cls += ' pending';
    if (item.failed) cls += ' failed';
    var node = el('div', cls);
    node.setAttribute('data-id', item.id);

    var who = el('span', 'visually-hidden', item.dir === 'out'
      ? (item.action ? 'Du tryckte på knappen: ' : 'Du: ')
      : 'Lots: ');
    node.appendChild(who);
    var text = el('p', 'msg-text', item.text);
    text.setAttribute('dir', 'auto');
    node.appendChild(text);

    var metaParts = [];
    var at = toDate(item.at);
    if (at) metaParts.push(formatShort(at));
    if (item.pending) metaParts.push('skickar…');
    if (item.failed) metaParts.push('kunde inte skickas');
    if (item.smsInfo) metaParts.push(item.smsInfo);
    if (metaParts.length) {
      var meta = el('p', 'msg-meta', metaParts.join(' · '));
      if (at) meta.title = formatClock(at);
      node.appendChild(meta);
    }
    if (item.failed && item.error) {
      node.appendChild(el('p', 'msg-error', item.error));
    }

    if (item.buttons && item.buttons.length) {
      var group = el('div', 'msg-buttons');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', 'Svarsalternativ');
      item.buttons.forEach(function (b, bi) {
        var btn = el('button', 'btn btn-small btn-action' + (b.pressed ? ' pressed' : ''), b.label);
        btn.type = 'button';
        btn.setAttribute('data-action-id', String(b.actionId));
        btn.setAttribute('data-focus-id', item.id + '#' + bi);
        if (b.pressed) {
          btn.disabled = true;
          btn.setAttribute('aria-pressed', 'true');
        }
        btn.addEventListener('click', function () {
          if (btn.disabled) return;
          btn.disabled = true;
          pressButton(p, key, item.id, b);
        });
        group.appendChild(btn);
      });
      node.appendChild(group);
    }
    // Calendar invites: a link that downloads the file as the staff member's chat would offer it.
    (item.attachments || []).forEach(function (a) {
      var link = el('a', 'msg-attachment', '📎 ' + String(a.filename));
      var body = a.encoding === 'base64' ? Uint8Array.from(atob(String(a.content)), function (ch) { return ch.charCodeAt(0); }) : String(a.content);
      link.href = URL.createObjectURL(new Blob([body], { type: String(a.contentType) }));
      link.download = String(a.filename);
      node.appendChild(link);
    });
    return node;
  }

  // ----------------------------------------------------------------- outbox

  function outboxKey(m) {
    return String(m.sentAt) + '\u0001' + String(m.channel) + '\u0001' + String(m.to) + '\u0001' + String(m.text);
  }

  function channelLabel(channel) {
    var c = String(channel || '').toLowerCase();
    if (c === 'sms') return 'SMS';
    if (c === 'staff') return 'Chatt';
    if (c === 'teams') return 'Teams';
    if (c === 'slack') return 'Slack';
    return c || '?';
  }

  function recipientLabel(m) {
    var to = String(m.to || '');
    if (String(m.channel).toLowerCase() === 'sms') {
      var p = participantByPhone(to);
      return p ? p.name + ' · ' + to : to;
    }
    var s = staffByEmail(to);
    return s ? s.name + ' · ' + to : to;
  }

  function outboxRow(m) {
    var ch = String(m.channel || '').toLowerCase();
    var li = el('li', 'ob-item ob-' + (ch === 'sms' ? 'sms' : 'staff'));
    var head = el('div', 'ob-head');
    head.appendChild(el('span', 'badge badge-' + (ch === 'sms' ? 'sms' : 'staff'), channelLabel(ch)));
    var to = el('span', 'ob-to');
    to.appendChild(el('span', 'visually-hidden', 'till '));
    to.appendChild(document.createTextNode(recipientLabel(m)));
    head.appendChild(to);
    var at = toDate(m.sentAt);
    var time = el('time', 'ob-time', at ? formatShort(at) : String(m.sentAt || ''));
    if (at) {
      time.setAttribute('datetime', at.toISOString());
      time.title = formatClock(at);
    }
    head.appendChild(time);
    li.appendChild(head);
    var text = el('p', 'ob-text', m.text === undefined || m.text === null ? '' : String(m.text));
    text.setAttribute('dir', 'auto');
    li.appendChild(text);
    return li;
  }

  function renderOutbox(messages) {
    var list = $('outbox');
    var scroller = $('outbox-scroll');
    var shown = messages.length > OUTBOX_MAX_ROWS
      ? messages.slice(messages.length - OUTBOX_MAX_ROWS) : messages;
    var keys = shown.map(outboxKey);
    var old = state.outboxRendered;
    var nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;

    var canAppend = old.length <= keys.length && shown.length === messages.length;
    for (var i = 0; canAppend && i < old.length; i++) {
      if (old[i] !== keys[i]) canAppend = false;
    }
    if (canAppend && old.length === keys.length) {
      updateOutboxCount(messages.length, shown.length);
      return;
    }
    if (!canAppend || old.length === 0) {
      clearChildren(list);
      old = [];
    }
    var frag = document.createDocumentFragment();
    for (var j = old.length; j < shown.length; j++) frag.appendChild(outboxRow(shown[j]));
    list.appendChild(frag);
    state.outboxRendered = keys;
    $('outbox-empty').hidden = shown.length > 0;
    updateOutboxCount(messages.length, shown.length);
    if (nearBottom || !canAppend) scroller.scrollTop = scroller.scrollHeight;
  }

  function updateOutboxCount(total, shown) {
    $('outbox-count').textContent = total
      ? '(' + total + (shown < total ? ', visar de senaste ' + shown : '') + ')'
      : '';
  }

  /** Whole outbox; also updates the two open conversations from the same answer. */
  function refreshOutbox() {
    var seq = ++state.outboxSeq;
    return api('GET', '/sim/outbox').then(function (data) {
      var messages = Array.isArray(data.messages) ? data.messages : [];
      clearError($('outbox-error'));
      renderOutbox(messages);
      ['sms', 'staff'].forEach(function (kind) {
        var p = panels[kind];
        var key = p.currentKey;
        if (!key) return;
        var mine = messages.filter(function (m) { return matchesKey(p, m, key); });
        if (applyReceived(p, key, mine, seq)) renderThread(p, false);
      });
    }, function (err) {
      showError($('outbox-error'), 'Kunde inte hämta utkorgen: ' + errorText(err));
    });
  }

  // ------------------------------------------------------------------ clock

  function setNow(iso) {
    var d = toDate(iso);
    if (!d) return;
    var year = partsOf(fmtParts, d).year;
    var yearChanged = state.nowYear !== year;
    state.now = iso;
    state.nowYear = year;
    var clock = $('clock');
    var text = formatClock(d);
    if (clock.textContent !== text) clock.textContent = text;
    clock.setAttribute('datetime', d.toISOString());
    var input = $('clock-input');
    if (!state.clockDirty && document.activeElement !== input) {
      input.value = toLocalInputValue(d);
    }
    if (yearChanged) {
      // Times in the threads show the year only when it is not the current one.
      panels.sms.renderedSig = null;
      panels.staff.renderedSig = null;
      renderThread(panels.sms, false);
      renderThread(panels.staff, false);
    }
  }

  function refreshClock() {
    return api('GET', '/sim/clock').then(function (data) {
      if (data && data.now) setNow(data.now);
    });
  }

  var clockQueue = makeQueue();

  function describeClockResult(data) {
    var extra = [];
    ['ran', 'fired', 'executed', 'jobsRun', 'ranJobs', 'due', 'processed'].forEach(function (k) {
      var v = data[k];
      if (typeof v === 'number') extra.push(v);
      else if (Array.isArray(v)) extra.push(v.length);
    });
    var msg = 'Klockan är nu ' + (toDate(data.now) ? formatClock(toDate(data.now)) : String(data.now || '?')) + '.';
    if (extra.length) msg += ' ' + extra[0] + ' schemalagda jobb kördes.';
    return msg;
  }

  function moveClock(body, button) {
    clearError($('clock-error'));
    if (button) button.setAttribute('aria-busy', 'true');
    $('clock-status').textContent = 'Flyttar klockan…';
    return clockQueue(function () {
      return api('POST', '/sim/clock', body).then(function (data) {
        if (data && data.now) setNow(data.now);
        $('clock-status').textContent = describeClockResult(data || {});
      }, function (err) {
        $('clock-status').textContent = '';
        showError($('clock-error'), errorText(err));
      });
    }).then(function () {
      if (button) button.setAttribute('aria-busy', 'false');
      refreshAll();
    });
  }

  function setupClock() {
    [['clock-1h', 'PT1H'], ['clock-1d', 'P1D'], ['clock-1w', 'P7D']].forEach(function (pair) {
      var btn = $(pair[0]);
      btn.addEventListener('click', function () {
        moveClock({ advance: pair[1] }, btn);
      });
    });

    var input = $('clock-input');
    input.addEventListener('input', function () { state.clockDirty = true; });
    input.addEventListener('blur', function () {
      // Keep what the user typed until it is submitted or emptied.
      if (!input.value) state.clockDirty = false;
    });

    $('clock-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(input.value || '');
      if (!m) {
        showError($('clock-error'), 'Ange datum och tid att sätta klockan till.');
        input.focus();
        return;
      }
      var ms = stockholmToUtc(+m[1], +m[2], +m[3], +m[4], +m[5]);
      state.clockDirty = false;
      moveClock({ set: new Date(ms).toISOString() }, $('clock-set'));
    });
  }

  // ----------------------------------------------------------------- people

  function fillPeople() {
    var participants = state.people.participants;
    var staff = state.people.staff;

    var sms = panels.sms;
    resetOptions(sms.personSelect, 'Annat nummer…');
    clearChildren(sms.datalist);
    participants.forEach(function (pp) {
      var label = pp.name + ' (' + pp.phone + ')' +
        (pp.language && String(pp.language).toLowerCase() !== 'sv' ? ' – ' + languageLabel(pp.language) : '');
      var opt = el('option', null, label);
      opt.value = pp.phone;
      sms.personSelect.appendChild(opt);
      var dl = el('option', null, pp.name);
      dl.value = pp.phone;
      sms.datalist.appendChild(dl);
    });

    var st = panels.staff;
    resetOptions(st.personSelect, 'Annan e-post…');
    clearChildren(st.datalist);
    staff.forEach(function (s) {
      var role = s.role ? ROLE_LABELS[s.role] || s.role : '';
      var opt = el('option', null, s.name + (role ? ' – ' + role : ''));
      opt.value = s.email;
      st.personSelect.appendChild(opt);
      var dl = el('option', null, s.name);
      dl.value = s.email;
      st.datalist.appendChild(dl);
    });

    // Pick a sensible default unless the user already chose someone.
    if (!sms.fromInput.value && participants.length) {
      sms.fromInput.value = participants[0].phone;
    }
    if (!st.fromInput.value && staff.length) {
      var coach = staff.filter(function (s) { return s.role === 'coach'; })[0] || staff[0];
      st.fromInput.value = coach.email;
    }
    [sms, st].forEach(function (p) {
      if (p.fromInput.value) switchTo(p, p.fromInput.value);
      syncPersonSelect(p);
      updateWho(p);
    });
    refreshOutboxNames();
  }

  function resetOptions(select, firstLabel) {
    clearChildren(select);
    var first = el('option', null, firstLabel);
    first.value = '';
    select.appendChild(first);
  }

  /** Names in the outbox depend on the people list; re-render once it arrives. */
  function refreshOutboxNames() {
    state.outboxRendered = [];
    refreshOutbox();
  }

  function loadPeople(quiet) {
    return api('GET', '/sim/people').then(function (data) {
      state.people = {
        participants: Array.isArray(data.participants) ? data.participants.filter(validPerson('phone')) : [],
        staff: Array.isArray(data.staff) ? data.staff.filter(validPerson('email')) : []
      };
      state.peopleLoaded = true;
      clearError(panels.sms.errorEl);
      clearError(panels.staff.errorEl);
      fillPeople();
    }, function (err) {
      if (quiet) return;
      var msg = 'Kunde inte hämta demopersonerna: ' + errorText(err) + ' Du kan ändå skriva ett nummer eller en e-postadress.';
      showError(panels.sms.errorEl, msg);
      showError(panels.staff.errorEl, msg);
      // Still usable: whatever is typed in the inputs works.
      [panels.sms, panels.staff].forEach(function (p) {
        if (p.fromInput.value) switchTo(p, p.fromInput.value);
      });
    });
  }

  function validPerson(field) {
    return function (x) {
      return x && typeof x === 'object' && typeof x[field] === 'string' && x[field];
    };
  }

  // ---------------------------------------------------------------- polling

  var refreshing = null;
  function refreshAll() {
    if (refreshing) return refreshing;
    refreshing = Promise.all([
      refreshOutbox(),
      refreshClock().catch(function () {})
    ]).then(function () {
      if (!state.peopleLoaded) {
        // Server was down at start-up: try again, quietly.
        return loadPeople(true);
      }
    }).catch(function () {}).then(function () {
      refreshing = null;
    });
    return refreshing;
  }

  function startPolling() {
    function tick() {
      var work = document.hidden ? Promise.resolve() : refreshAll();
      work.then(function () { setTimeout(tick, POLL_MS); });
    }
    setTimeout(tick, POLL_MS);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) refreshAll();
    });
  }

  // ------------------------------------------------------------------- boot

  function init() {
    connEl = $('conn');
    setupPanel('sms');
    setupPanel('staff');
    setupClock();
    // If someone typed before the page script ran, honour it.
    [panels.sms, panels.staff].forEach(function (p) {
      if (p.fromInput.value) switchTo(p, p.fromInput.value);
    });
    refreshClock().catch(function (err) {
      showError($('clock-error'), 'Kunde inte läsa klockan: ' + errorText(err));
    });
    loadPeople();
    refreshOutbox();
    startPolling();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
