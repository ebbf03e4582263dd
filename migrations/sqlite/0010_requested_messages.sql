-- Messages someone asked for (a win shared in the wins channel) are a third origin beside the
-- planner's and the snoozes': no re-plan touches them. SQLite cannot change a CHECK, so the
-- table is rebuilt with the same columns, rows and indexes.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    -- source|recipient|local time: one row per occurrence, however often it is planned.
    key             TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    -- A Slack user id, a channel id or #name, or user ids joined with '+' for a group DM.
    recipient       TEXT NOT NULL,
    program_week    INTEGER NOT NULL,
    due_at          TEXT NOT NULL,
    -- The recipient's wall-clock time, RFC 3339 with their offset.
    local_time      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    text            TEXT,
    channel         TEXT,
    slack_ts        TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    updated_at      TEXT NOT NULL,
    recipient_kind  TEXT NOT NULL DEFAULT 'person'
                    CHECK (recipient_kind IN ('person', 'group', 'channel')),
    origin          TEXT NOT NULL DEFAULT 'plan'
                    CHECK (origin IN ('plan', 'snooze', 'request'))
);
INSERT INTO outbox_new (id, key, source, kind, recipient, program_week, due_at, local_time,
    status, attempts, next_attempt_at, text, channel, slack_ts, last_error, sent_at, updated_at,
    recipient_kind, origin)
SELECT id, key, source, kind, recipient, program_week, due_at, local_time, status, attempts,
    next_attempt_at, text, channel, slack_ts, last_error, sent_at, updated_at, recipient_kind,
    origin
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_source_recipient ON outbox (source, recipient, due_at);
CREATE INDEX outbox_by_status_due ON outbox (status, due_at);
