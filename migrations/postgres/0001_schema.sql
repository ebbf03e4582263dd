-- The schema SQLite reached in its migrations 0001 to 0011, as PostgreSQL writes it: times are
-- TIMESTAMPTZ, days DATE, numbers BIGINT (what the store reads them as). The recipient's
-- wall-clock time stays RFC 3339 text, because TIMESTAMPTZ would drop its offset.

-- People the bot has seen: the configured roster, and anyone else who used a command.
CREATE TABLE people (
    slack_id      TEXT PRIMARY KEY NOT NULL,
    in_roster     BOOLEAN NOT NULL DEFAULT FALSE,
    role          TEXT CHECK (role IN ('rep', 'manager', 'admin')),
    manager_id    TEXT,
    team          TEXT,
    timezone      TEXT,
    first_seen_at TIMESTAMPTZ NOT NULL,
    -- Out of office, set with `/sko pause`: nothing is sent to the person before this date.
    paused_until  DATE
);

-- What a rep said they will do. `seq` is the short id the rep types: #1, #2, … per person.
CREATE TABLE commitments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES people (slack_id),
    seq           BIGINT NOT NULL,
    text          TEXT NOT NULL,
    target_number DOUBLE PRECISION,
    target_unit   TEXT,
    due_date      DATE,
    kind          TEXT NOT NULL CHECK (kind IN ('outcome', 'performance', 'development', 'pressure')),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    program_week  BIGINT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    done_at       TIMESTAMPTZ,
    UNIQUE (user_id, seq)
);

-- A practice rep (role-play) or a live-deal application of a skill.
CREATE TABLE practice_logs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES people (slack_id),
    skill_id      TEXT NOT NULL,
    context       TEXT NOT NULL CHECK (context IN ('roleplay', 'live')),
    partner_id    TEXT,
    score         BIGINT CHECK (score BETWEEN 1 AND 5),
    -- JSON object of rubric criterion -> 1..5, when scored criterion by criterion
    rubric_scores TEXT,
    notes         TEXT,
    program_week  BIGINT,
    logged_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX practice_logs_by_user ON practice_logs (user_id, logged_at);

-- Whoever records something exists as a person, in the same statement as the record.
CREATE FUNCTION commitment_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO people (slack_id, in_roster, first_seen_at)
    VALUES (NEW.user_id, FALSE, NEW.created_at)
    ON CONFLICT (slack_id) DO NOTHING;
    RETURN NEW;
END;
$$;
CREATE TRIGGER commitments_author BEFORE INSERT ON commitments
    FOR EACH ROW EXECUTE FUNCTION commitment_author();

CREATE FUNCTION practice_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO people (slack_id, in_roster, first_seen_at)
    VALUES (NEW.user_id, FALSE, NEW.logged_at)
    ON CONFLICT (slack_id) DO NOTHING;
    RETURN NEW;
END;
$$;
CREATE TRIGGER practice_logs_author BEFORE INSERT ON practice_logs
    FOR EACH ROW EXECUTE FUNCTION practice_author();

-- Slack event ids already handled, so a retried delivery is acknowledged and not redone.
CREATE TABLE processed_events (
    event_id    TEXT PRIMARY KEY NOT NULL,
    event_type  TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

-- A check-in a pair (or trio) was brought together for.
CREATE TABLE checkins (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Slack ids joined with '+', sorted: the group DM's members.
    members      TEXT NOT NULL,
    program_week BIGINT,
    due_at       TIMESTAMPTZ NOT NULL,
    answer       TEXT CHECK (answer IN ('met', 'rescheduled', 'missed')),
    answered_at  TIMESTAMPTZ,
    UNIQUE (members, due_at)
);

-- Who was in each check-in, one row a member, so one person's check-ins are read by index.
CREATE TABLE checkin_members (
    checkin_id BIGINT NOT NULL REFERENCES checkins (id),
    slack_id   TEXT NOT NULL,
    PRIMARY KEY (slack_id, checkin_id)
);

-- Answers to the day 30/60/90 pulses.
CREATE TABLE pulse_answers (
    user_id     TEXT NOT NULL,
    day         BIGINT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('every', 'most', 'some', 'not_yet')),
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- Every scheduled occurrence, written before it is sent: the durable outbox.
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- source|recipient|local time: one row per occurrence, however often it is planned.
    key             TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    -- A Slack user id, a channel id or #name, or user ids joined with '+' for a group DM.
    recipient       TEXT NOT NULL,
    recipient_kind  TEXT NOT NULL DEFAULT 'person'
                    CHECK (recipient_kind IN ('person', 'group', 'channel')),
    program_week    BIGINT NOT NULL,
    due_at          TIMESTAMPTZ NOT NULL,
    -- The recipient's wall-clock time, RFC 3339 with their offset.
    local_time      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    text            TEXT,
    channel         TEXT,
    slack_ts        TEXT,
    last_error      TEXT,
    sent_at         TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL,
    -- The planner's rows, a snooze's, or a message someone asked for (no re-plan touches those).
    origin          TEXT NOT NULL DEFAULT 'plan' CHECK (origin IN ('plan', 'snooze', 'request')),
    -- The replica that will send a due row, until when: a dead claimer's claim runs out.
    claimed_by      TEXT,
    claim_until     TIMESTAMPTZ
);
CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_source_recipient ON outbox (source, recipient, due_at);
CREATE INDEX outbox_by_status_due ON outbox (status, due_at);
-- A message asked for goes once to its recipient, however many replicas are asked at once:
-- SQLite's one writer gives that through NOT EXISTS; here the index does.
CREATE UNIQUE INDEX outbox_requested_once ON outbox (source, recipient) WHERE origin = 'request';

-- How far the planner has written the schedule into the outbox, and the re-plans asked for.
CREATE TABLE scheduler_state (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    planned_until TIMESTAMPTZ NOT NULL,
    replan_asked  BIGINT NOT NULL DEFAULT 0,
    replan_done   BIGINT NOT NULL DEFAULT 0,
    replan_reason TEXT
);

-- One scheduler at a time: the lease's holder plans, sends and housekeeps; `epoch` grows with
-- each new holder, a fencing token.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    epoch      BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- The DM (or group DM) channel Slack gave for a set of users.
CREATE TABLE dm_channels (
    members    TEXT PRIMARY KEY NOT NULL,
    channel_id TEXT NOT NULL
);

-- Channels named as people see them (#sko-wins), looked up once through conversations.list.
CREATE TABLE channel_names (
    name        TEXT PRIMARY KEY NOT NULL,
    channel_id  TEXT NOT NULL,
    resolved_at TIMESTAMPTZ NOT NULL
);

-- Automatic pairs, kept with the program week they start in so a restart never reshuffles.
CREATE TABLE pairs (
    week_from BIGINT NOT NULL,
    members   TEXT NOT NULL,
    PRIMARY KEY (week_from, members)
);

-- What Slack says about a person (users.info), refreshed daily.
CREATE TABLE slack_users (
    slack_id   TEXT PRIMARY KEY NOT NULL,
    timezone   TEXT,
    real_name  TEXT,
    fetched_at TIMESTAMPTZ NOT NULL
);

-- People that roster.csv lists by email, as Slack found them; slack_id NULL: nobody.
CREATE TABLE email_lookups (
    email        TEXT PRIMARY KEY NOT NULL,
    slack_id     TEXT,
    looked_up_at TIMESTAMPTZ NOT NULL
);

-- People's Slack status, kept as Slack gave it. expires_at is NULL when it has no end.
CREATE TABLE slack_statuses (
    slack_id   TEXT PRIMARY KEY NOT NULL,
    emoji      TEXT NOT NULL,
    text       TEXT NOT NULL,
    expires_at TIMESTAMPTZ,
    fetched_at TIMESTAMPTZ NOT NULL
);
