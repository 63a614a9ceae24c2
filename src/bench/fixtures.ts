// Load for the benchmarks and the crash test (test/crash.test.ts): many participants, a burst of
// reminders, and a fake 46elks API to send them to. The fake speaks 46elks' real format
// (POST /a1/sms, a form, basic auth; a JSON answer with the message id) and answers after a
// set latency, as a provider on the internet does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../store/db.js';

export interface FakeElks {
  url: string;
  /** Every message the provider accepted, in order of arrival. */
  received: { to: string; message: string }[];
  /** Requests that have arrived and are not yet answered. */
  open(): number;
  /** Resolves once `n` distinct recipients have been sent to. */
  reached(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function fakeElksApi(latencyMs: number): Promise<FakeElks> {
  const received: FakeElks['received'] = [];
  const recipients = new Set<string>();
  let open = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/a1/sms' || !req.headers.authorization?.startsWith('Basic ')) {
        res.writeHead(req.url === '/a1/sms' ? 401 : 404).end();
        return;
      }
      const form = new URLSearchParams(body);
      const to = form.get('to') ?? '';
      received.push({ to, message: form.get('message') ?? '' });
      recipients.add(to);
      const id = `s${received.length}`;
      open++;
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'created', direction: 'outgoing', from: form.get('from'), to, message: form.get('message'), id, parts: 1 }));
      }, latencyMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    open: () => open,
    reached: async (n, timeoutMs) => {
      const until = Date.now() + timeoutMs;
      while (recipients.size < n) {
        if (Date.now() > until) throw new Error(`the fake provider reached ${recipients.size} of ${n} recipients in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/**
 * `n` participants beside the demo programme's (same team and coach), ids `load-1`…, phones
 * +4673… that no demo person has, each with a named FK contact: a programme's worth of people,
 * written in two statements. Returns their phones.
 */
export async function addParticipants(db: Db, n: number): Promise<string[]> {
  const [coach] = await db.query<{ teamId: string; coachId: string }>(`select team_id as "teamId", coach_id as "coachId" from participant order by id limit 1`);
  if (!coach) throw new Error('addParticipants needs a programme with a team and a coach (the demo)');
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ phone: string }>(
      `insert into participant (id, team_id, coach_id, name, phone, language, gender, started_at)
       select 'load-' || g, $1, $2, 'Deltagare ' || g, '+4673' || lpad(g::text, 7, '0'), 'sv', 'annat', date '2026-01-05'
       from generate_series(1, $3::int) g returning phone`,
      [coach.teamId, coach.coachId, n],
    );
    await tx.query(
      `insert into agency_contact (participant_id, agency, role, person_name, phone, hours, is_primary, last_verified, updated_at)
       select 'load-' || g, 'fk', 'personlig handläggare', 'Karin Lund', '+46101234567', 'mån–fre 9–11', true, date '2026-11-01', now()
       from generate_series(1, $1::int) g`,
      [n],
    );
    return rows.map((r) => r.phone);
  });
}

/**
 * `n` participants (addParticipants), each with a meeting tomorrow at 10:00 and its one-day
 * reminder due a minute before `now`: a programme's morning after a night of bookings.
 */
export async function queueReminders(db: Db, n: number, now: Date): Promise<void> {
  await addParticipants(db, n);
  const [coach] = await db.query<{ coachId: string }>(`select coach_id as "coachId" from participant where id = 'load-1'`);
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into meeting (id, participant_id, coach_id, type, start_at) select 'load-m-' || g, 'load-' || g, $1, 'coach', $2 from generate_series(1, $3::int) g`,
      [coach!.coachId, new Date(now.getTime() + 24 * 3600_000), n],
    );
    await tx.query(
      `insert into planned_send (kind, ref, version, label, participant_id, due_at, planned_at)
       select 'meeting.reminder', 'load-m-' || g, 1, 'P1D', 'load-' || g, $1, $1 from generate_series(1, $2::int) g`,
      [new Date(now.getTime() - 60_000), n],
    );
  });
}
