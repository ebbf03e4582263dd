-- A check-in a pair (or trio) was brought together for. Whether it happened is read from the
-- answer, or from practice the members logged together around it.
CREATE TABLE checkins (
    id           INTEGER PRIMARY KEY,
    -- Slack ids joined with '+', sorted: the group DM's members.
    members      TEXT NOT NULL,
    program_week INTEGER,
    due_at       TEXT NOT NULL,
    answer       TEXT CHECK (answer IN ('met', 'rescheduled', 'missed')),
    answered_at  TEXT,
    UNIQUE (members, due_at)
);
