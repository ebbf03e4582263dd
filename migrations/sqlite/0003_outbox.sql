-- Every scheduled occurrence, written before it is sent: the durable outbox.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- source|recipient|local time: one row per occurrence, however often it is planned.
    key             TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    -- A Slack user id, a channel id, or user ids joined with '+' for a group DM.
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
    updated_at      TEXT NOT NULL
);
CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at);

-- How far the planner has written the schedule into the outbox.
CREATE TABLE scheduler_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    planned_until TEXT NOT NULL
);

-- The DM (or group DM) channel Slack gave for a set of users.
CREATE TABLE dm_channels (
    members    TEXT PRIMARY KEY NOT NULL,
    channel_id TEXT NOT NULL
);

-- Automatic pairs, kept with the program week they start in so a restart never reshuffles.
CREATE TABLE pairs (
    week_from INTEGER NOT NULL,
    members   TEXT NOT NULL,
    PRIMARY KEY (week_from, members)
);

-- What Slack says about a person (users.info), refreshed daily.
CREATE TABLE slack_users (
    slack_id   TEXT PRIMARY KEY NOT NULL,
    timezone   TEXT,
    real_name  TEXT,
    fetched_at TEXT NOT NULL
);
