-- The outbox is planned days ahead and read by index; a recipient's kind is stored beside its
-- key, never guessed from an id. Rows written before this were keyed so that a '+' meant a
-- group and a C/G id a channel; they are read that way once, here.
ALTER TABLE outbox ADD COLUMN recipient_kind TEXT NOT NULL DEFAULT 'person'
    CHECK (recipient_kind IN ('person', 'group', 'channel'));
UPDATE outbox SET recipient_kind = 'group' WHERE recipient LIKE '%+%';
UPDATE outbox SET recipient_kind = 'channel'
    WHERE recipient_kind = 'person' AND (recipient GLOB 'C*' OR recipient GLOB 'G*');

-- Where a row comes from: the planner (planned again when the program changes), or a snooze
-- (which no re-plan touches).
ALTER TABLE outbox ADD COLUMN origin TEXT NOT NULL DEFAULT 'plan'
    CHECK (origin IN ('plan', 'snooze'));
UPDATE outbox SET origin = 'snooze' WHERE key LIKE '%|snoozed:%';

-- Pending rows by due time: stale, superseded and re-planned rows, and the next one due.
CREATE INDEX outbox_by_status_due ON outbox (status, due_at);

-- A change that alters what is planned (reload, pause, timezone, pairs) asks for the horizon
-- to be planned again: `replan_asked` counts the asks, `replan_done` the last one planned.
ALTER TABLE scheduler_state ADD COLUMN replan_asked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scheduler_state ADD COLUMN replan_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scheduler_state ADD COLUMN replan_reason TEXT;

-- Channels named as people see them (#sko-wins), looked up once through conversations.list.
CREATE TABLE channel_names (
    name        TEXT PRIMARY KEY NOT NULL,
    channel_id  TEXT NOT NULL,
    resolved_at TEXT NOT NULL
);

-- Who was in each check-in, one row a member, so one person's check-ins are read by index.
CREATE TABLE checkin_members (
    checkin_id INTEGER NOT NULL REFERENCES checkins (id),
    slack_id   TEXT NOT NULL,
    PRIMARY KEY (slack_id, checkin_id)
) WITHOUT ROWID;
WITH RECURSIVE split (id, rest, member) AS (
    SELECT id, members || '+', '' FROM checkins
    UNION ALL
    SELECT id, substr(rest, instr(rest, '+') + 1), substr(rest, 1, instr(rest, '+') - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO checkin_members (checkin_id, slack_id)
    SELECT id, member FROM split WHERE member <> '';
