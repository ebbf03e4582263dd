-- Confidence in each skill, 1–10, as a rep answered a checkpoint's "Rate my skills" form; a
-- later answer for the same checkpoint and skill replaces the first.
CREATE TABLE pulse_confidence (
    user_id     TEXT NOT NULL,
    day         BIGINT NOT NULL,
    skill_id    TEXT NOT NULL,
    confidence  BIGINT NOT NULL CHECK (confidence BETWEEN 1 AND 10),
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, day, skill_id)
);
