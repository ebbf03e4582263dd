-- Answers to the day 30/60/90 pulses: how often the rep still uses what the kickoff taught.
CREATE TABLE pulse_answers (
    user_id     TEXT NOT NULL,
    day         INTEGER NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('every', 'most', 'some', 'not_yet')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
);
