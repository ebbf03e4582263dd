-- People that roster.csv lists by email, as Slack found them (users.lookupByEmail); slack_id
-- is NULL when Slack has nobody with that email. Looked up again daily.
CREATE TABLE email_lookups (
    email        TEXT PRIMARY KEY NOT NULL,
    slack_id     TEXT,
    looked_up_at TEXT NOT NULL
);

-- People's Slack status (users.profile.get, user_change), kept as Slack gave it, so that what
-- counts as away follows the [absence] rules in force. expires_at is NULL when it has no end.
CREATE TABLE slack_statuses (
    slack_id   TEXT PRIMARY KEY NOT NULL,
    emoji      TEXT NOT NULL,
    text       TEXT NOT NULL,
    expires_at TEXT,
    fetched_at TEXT NOT NULL
);
