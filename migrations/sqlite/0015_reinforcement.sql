-- Spaced reinforcement: every question asked of a rep, with their first answer once given, and
-- each rep's memory of each question as the model (FSRS-6) last left it.
CREATE TABLE quiz_asked (
    rep_id         TEXT NOT NULL,
    asked_at       TEXT NOT NULL,
    question_id    TEXT NOT NULL,
    skill_id       TEXT NOT NULL,
    asked_on       TEXT NOT NULL,
    answered_at    TEXT,
    choice         TEXT,
    correct        BOOLEAN,
    elapsed_days   INTEGER,
    recall_before  REAL,
    next_due       TEXT,
    PRIMARY KEY (rep_id, asked_at)
);
CREATE TABLE quiz_memory (
    rep_id         TEXT NOT NULL,
    question_id    TEXT NOT NULL,
    stability      REAL NOT NULL,
    difficulty     REAL NOT NULL,
    last_answered  TEXT NOT NULL,
    last_day       TEXT NOT NULL,
    due            TEXT NOT NULL,
    reviews        INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    PRIMARY KEY (rep_id, question_id)
);
