// The schema, as an ordered list of migrations. Append; never edit one that has shipped.
// Plain SQL that PGlite and PostgreSQL 15 both run.
import PgBoss from 'pg-boss';
import { JOB_QUEUE } from '../scheduler/queue-name.js';

export interface Migration {
  id: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    id: '001-domain',
    sql: `
create table programme (
  id text primary key,
  name text not null,
  settings jsonb not null default '{}'
);

create table team (
  id text primary key,
  programme_id text not null references programme(id),
  name text not null,
  lead_id text
);

create table staff (
  id text primary key,
  team_id text references team(id),
  name text not null,
  email text not null unique,
  role text not null check (role in ('coach', 'teamlead', 'admin')),
  backup_id text,
  created_at timestamptz not null default now()
);

create table participant (
  id text primary key,
  team_id text not null references team(id),
  coach_id text not null references staff(id),
  name text not null,
  phone text unique,
  language text not null default 'sv',
  gender text not null check (gender in ('kvinna', 'man', 'annat')),
  protected_identity boolean not null default false,
  started_at date,
  ended_at date,
  exit_reason int check (exit_reason in (1, 2, 3)),
  income_at_start text,
  opted_out_at timestamptz,
  created_at timestamptz not null default now()
);
create index participant_coach on participant (coach_id);
create index participant_team on participant (team_id);

-- Consents are a history: the newest row (by seq) per kind is in force.
create table consent (
  seq bigint generated always as identity primary key,
  participant_id text not null references participant(id) on delete cascade,
  kind text not null check (kind in ('sms', 'agency_sharing', 'sus')),
  granted boolean not null,
  recorded_at timestamptz not null,
  recorded_by text not null
);
create index consent_participant on consent (participant_id, kind, seq);

create table agency_contact (
  id uuid primary key default gen_random_uuid(),
  participant_id text not null references participant(id) on delete cascade,
  agency text not null check (agency in ('fk', 'af', 'soc', 'vc', 'psyk', 'coach')),
  role text not null,
  person_name text,            -- null: the post is vacant
  phone text,
  hours text,
  fallback_phone text,         -- the agency's functional line
  fallback_hours text,
  last_verified date,
  is_primary boolean not null default false,
  updated_at timestamptz not null,
  unique (participant_id, agency, role)
);

create table agency_contact_history (
  id uuid primary key default gen_random_uuid(),
  contact_id uuid not null,
  participant_id text not null references participant(id) on delete cascade,
  changed_at timestamptz not null,
  changed_by text not null,
  before jsonb,
  after jsonb
);

create table meeting (
  id text primary key,
  participant_id text not null references participant(id) on delete cascade,
  coach_id text not null references staff(id),
  type text not null,
  start_at timestamptz not null,
  duration_minutes int not null default 60,
  place text,
  video_link text,
  interpreter_language text,
  status text not null default 'booked'
    check (status in ('booked', 'confirmed', 'cancelled', 'held', 'missed')),
  version int not null default 1,
  created_at timestamptz not null default now()
);
create index meeting_participant on meeting (participant_id, start_at);
create index meeting_coach on meeting (coach_id, start_at);

-- Every message received (what was sent is in the outbox). Text is removed after the
-- retention period; the row stays.
create table message_log (
  id uuid primary key default gen_random_uuid(),
  at timestamptz not null,
  channel text not null,
  address text not null,
  participant_id text references participant(id) on delete cascade,
  staff_id text references staff(id) on delete set null,
  intent text,
  text text
);
create index message_log_participant on message_log (participant_id, at);

-- Provider ids already taken in, so a retried delivery is handled once.
create table inbound_receipt (
  channel text not null,
  external_id text not null,
  received_at timestamptz not null,
  primary key (channel, external_id)
);

-- The one way out: written in the transaction that decided to send, delivered after.
create table outbox (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,  -- insertion order: the clock may stand still

  created_at timestamptz not null,
  channel text not null,
  recipient text not null,
  participant_id text references participant(id) on delete cascade,
  purpose text not null,
  text text not null,
  buttons jsonb,
  in_reply_to uuid,
  status text not null default 'pending'
    check (status in ('pending', 'sent', 'suppressed', 'failed')),
  reason text,
  attempts int not null default 0,
  sent_at timestamptz
);
create index outbox_pending on outbox (seq) where status = 'pending';
create index outbox_recipient on outbox (recipient, sent_at);

create table audit_log (
  id uuid primary key default gen_random_uuid(),
  at timestamptz not null,
  actor text not null,
  action text not null,
  participant_id text,
  detail jsonb not null default '{}'
);
create index audit_participant on audit_log (participant_id, at);

-- Small settings Lots keeps between restarts (the simulator's clock, among them).
create table setting (
  key text primary key,
  value jsonb not null
);

-- What Lots last asked someone, so the next answer is read in its light (multi-turn).
create table conversation (
  channel text not null,
  address text not null,
  state jsonb not null,
  updated_at timestamptz not null,
  primary key (channel, address)
);
`,
  },
  {
    // pg-boss's own schema, created here (not by pg-boss at start) so it is part of every database
    // and test template; pg-boss upgrades it at start when a newer version needs to.
    id: '002-jobs',
    sql: `${PgBoss.getConstructionPlans('pgboss').replace(/^\s*(BEGIN|COMMIT);\s*$/gm, '')}
select pgboss.create_queue('${JOB_QUEUE}', '{"policy":"standard","retryLimit":5,"retryDelay":30,"retryBackoff":true,"expireInSeconds":900}'::json);`,
  },
  {
    id: '003-meetings',
    sql: `
-- Who else is invited: Lots staff (their calendars are checked) and agencies by code.
alter table meeting add column staff_ids text[] not null default '{}';
alter table meeting add column agencies text[] not null default '{}';
alter table meeting add column booked_by text;
alter table meeting add column attended_marked_by text;
create index meeting_start on meeting (start_at) where status in ('booked', 'confirmed');

-- Staff get calendar invites (ICS) as files.
alter table outbox add column attachments jsonb;
-- A message is claimed ('sending', with the time) by one statement before it is handed to its channel.
alter table outbox add column claimed_at timestamptz;
-- An SMS written in quiet hours (not a reply) waits until they end.
alter table outbox add column hold_until timestamptz;
alter table outbox drop constraint outbox_status_check;
alter table outbox add constraint outbox_status_check check (status in ('pending', 'sending', 'sent', 'suppressed', 'failed'));

-- Sends planned by Lots' clock (reminders, attendance questions; later check-ins and digests).
-- A row is keyed by what it is about and that thing's version, RapidPro-style: moving a meeting
-- bumps its version, so the old rows can never fire; planning twice inserts nothing twice.
create table planned_send (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  ref text not null,
  version int not null,
  label text not null,
  participant_id text references participant(id) on delete cascade,
  due_at timestamptz not null,
  status text not null default 'planned' check (status in ('planned', 'queued', 'done', 'skipped', 'inert')),
  reason text,
  planned_at timestamptz not null,
  done_at timestamptz,
  unique (kind, ref, version, label)
);
create index planned_send_due on planned_send (due_at) where status = 'planned';
create index planned_send_ref on planned_send (ref);
`,
  },
  {
    id: '004-checkins-escalations',
    sql: `
-- A participant's own check-in schedule (null: the programme's), and leave (no check-ins until then).
alter table participant add column checkin_weekday int check (checkin_weekday between 1 and 7);
alter table participant add column checkin_time text check (checkin_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
alter table participant add column on_leave_until date;
-- Who gets urgent escalations outside office hours (null: the team lead).
alter table team add column on_call_id text references staff(id);

-- A question sent to a participant: how they feel (1–5), or the six-month self-assessment.
create table checkin (
  id uuid primary key default gen_random_uuid(),
  participant_id text not null references participant(id) on delete cascade,
  kind text not null check (kind in ('mood', 'self-assessment')),
  sent_at timestamptz not null,
  sent_by text not null,
  answered_at timestamptz,
  score int check (score between 1 and 5),
  text text,
  answers jsonb not null default '{}',
  missed boolean not null default false
);
create index checkin_participant on checkin (participant_id, sent_at);

-- When a person must act: why, how urgent, who owns it now, and how far up the chain it has gone.
-- One open escalation per participant and reason: a trigger that repeats adds nothing new.
create table escalation (
  id uuid primary key default gen_random_uuid(),
  participant_id text not null references participant(id) on delete cascade,
  reason text not null check (reason in ('crisis', 'call-request', 'low-scores', 'no-reply', 'sms-failed', 'no-show')),
  severity text not null check (severity in ('urgent', 'normal')),
  state text not null default 'open' check (state in ('open', 'acknowledged', 'resolved')),
  owner_id text references staff(id),
  step int not null default 0,
  opened_at timestamptz not null,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz,
  resolved_by text
);
create unique index escalation_one_open on escalation (participant_id, reason) where state <> 'resolved';
create index escalation_owner on escalation (owner_id) where state <> 'resolved';
`,
  },
  {
    id: '005-digests',
    sql: `
-- A message laid out for richer channels beside its text: Slack blocks, a Teams card.
alter table outbox add column rich jsonb;
create index meeting_status_start on meeting (status, start_at);
`,
  },
  {
    id: '006-sms-providers',
    sql: `
-- The provider's id for a sent SMS, and how far its delivery has come by the provider's reports
-- (sent → delivered, or failed; reports arriving out of order never move it back).
alter table outbox add column provider text;
alter table outbox add column provider_id text;
alter table outbox add column delivery text check (delivery in ('sent', 'delivered', 'failed'));
create unique index outbox_provider_id on outbox (provider, provider_id) where provider_id is not null;
create index outbox_recent on outbox (recipient, created_at);
`,
  },
  {
    id: '007-teams',
    sql: `
-- Where Lots can write to a staff member in Teams: the personal conversation's reference (Bot
-- Framework's address for it), stored when they install the app or first write, so reminders and
-- escalations reach them after a restart. Keyed by the AAD email Lots knows staff by.
create table teams_conversation (
  email text primary key,
  aad_object_id text not null,
  reference jsonb not null,
  updated_at timestamptz not null
);
create unique index teams_conversation_aad on teams_conversation (aad_object_id);
`,
  },
  {
    id: '008-privacy',
    sql: `
-- The audit trail in the order things happened (Lots' clock can stand still between entries).
alter table audit_log add column seq bigint generated always as identity;
create index audit_participant_seq on audit_log (participant_id, seq);
-- Retention finds old text by age.
create index message_log_at on message_log (at) where text is not null;
create index outbox_created on outbox (created_at) where text <> '';
`,
  },
  {
    id: '009-opted-out',
    sql: `
-- Every SMS is checked against the opted-out numbers as it is claimed. PostgreSQL plans that check
-- as a hashed subplan, which read the whole participant table once per statement (0.2 ms of a
-- reply's 0.5 ms claim at 2,000 people); with this index it reads only the opted-out rows.
create index participant_opted_out on participant (phone) where opted_out_at is not null;
`,
  },
  {
    id: '010-outbox-one-recipient-index',
    sql: `
-- Two indexes led with the recipient; outbox_recent (recipient, created_at) serves the loop guard
-- and a recipient's history alike. The other was written on every message and its sending, and read by nothing else.
drop index if exists outbox_recipient;
`,
  },
  {
    id: '011-move-asked',
    sql: `
-- A participant's FLYTTA is pending while the meeting is at the version it was asked about: a move
-- or a cancel (each a new version) answers it, a JA withdraws it (set back to null).
alter table meeting add column move_asked_version integer;
`,
  },
];
