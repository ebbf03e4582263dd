-- The web report's sign-ins. A login under way: its state (hashed), the nonce the id token must
-- carry, and the browser it started in (a hashed cookie value); taken once. A session: its id
-- (hashed, so the table alone signs nobody in), whose it is, and when it began and was last used.
CREATE TABLE web_logins (
    state_hash   TEXT PRIMARY KEY,
    nonce        TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE web_sessions (
    id_hash    TEXT PRIMARY KEY,
    slack_id   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);
