-- People the bot has seen: the configured roster, and anyone else who used a command.
CREATE TABLE people (
    slack_id      TEXT PRIMARY KEY NOT NULL,
    in_roster     INTEGER NOT NULL DEFAULT 0 CHECK (in_roster IN (0, 1)),
    role          TEXT CHECK (role IN ('rep', 'manager', 'admin')),
    manager_id    TEXT,
    team          TEXT,
    timezone      TEXT,
    first_seen_at TEXT NOT NULL
);

-- What a rep said they will do. `seq` is the short id the rep types: #1, #2, … per person.
CREATE TABLE commitments (
    id            INTEGER PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES people (slack_id),
    seq           INTEGER NOT NULL,
    text          TEXT NOT NULL,
    target_number REAL,
    target_unit   TEXT,
    due_date      TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('outcome', 'performance', 'development', 'pressure')),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    program_week  INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    done_at       TEXT,
    UNIQUE (user_id, seq)
);

-- A practice rep (role-play) or a live-deal application of a skill.
CREATE TABLE practice_logs (
    id            INTEGER PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES people (slack_id),
    skill_id      TEXT NOT NULL,
    context       TEXT NOT NULL CHECK (context IN ('roleplay', 'live')),
    partner_id    TEXT,
    score         INTEGER CHECK (score BETWEEN 1 AND 5),
    -- JSON object of rubric criterion -> 1..5, when scored criterion by criterion
    rubric_scores TEXT,
    notes         TEXT,
    program_week  INTEGER,
    logged_at     TEXT NOT NULL
);
CREATE INDEX practice_logs_by_user ON practice_logs (user_id, logged_at);

-- Slack event ids already handled, so a retried delivery is acknowledged and not redone.
CREATE TABLE processed_events (
    event_id    TEXT PRIMARY KEY NOT NULL,
    event_type  TEXT NOT NULL,
    received_at TEXT NOT NULL
);
