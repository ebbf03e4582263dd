-- Spaced reinforcement: every question asked of a rep, with their first answer once given, and
-- each rep's memory of each question as the model (FSRS-6) last left it.
CREATE TABLE quiz_asked (
    rep_id         TEXT NOT NULL,
    asked_at       TIMESTAMPTZ NOT NULL,
    question_id    TEXT NOT NULL,
    skill_id       TEXT NOT NULL,
    asked_on       DATE NOT NULL,
    answered_at    TIMESTAMPTZ,
    choice         TEXT,
    correct        BOOLEAN,
    elapsed_days   BIGINT,
    recall_before  DOUBLE PRECISION,
    next_due       DATE,
    PRIMARY KEY (rep_id, asked_at)
);
CREATE TABLE quiz_memory (
    rep_id         TEXT NOT NULL,
    question_id    TEXT NOT NULL,
    stability      DOUBLE PRECISION NOT NULL,
    difficulty     DOUBLE PRECISION NOT NULL,
    last_answered  TIMESTAMPTZ NOT NULL,
    last_day       DATE NOT NULL,
    due            DATE NOT NULL,
    reviews        BIGINT NOT NULL,
    lapses         BIGINT NOT NULL,
    PRIMARY KEY (rep_id, question_id)
);
