-- Coaching conversations a manager (or an admin) recorded with a rep.
CREATE TABLE coaching (
    id          BIGSERIAL PRIMARY KEY,
    manager_id  TEXT NOT NULL,
    rep_id      TEXT NOT NULL,
    skill_id    TEXT,
    criterion   TEXT,
    note        TEXT NOT NULL,
    next_step   TEXT,
    coached_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX coaching_by_rep ON coaching (rep_id, coached_at);
