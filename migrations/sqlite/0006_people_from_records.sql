-- Whoever records something exists as a person, in the same statement as the record: no
-- separate write (and transaction) before each command of someone outside the roster.
CREATE TRIGGER commitments_author BEFORE INSERT ON commitments BEGIN
    INSERT OR IGNORE INTO people (slack_id, in_roster, first_seen_at)
    VALUES (NEW.user_id, 0, NEW.created_at);
END;

CREATE TRIGGER practice_logs_author BEFORE INSERT ON practice_logs BEGIN
    INSERT OR IGNORE INTO people (slack_id, in_roster, first_seen_at)
    VALUES (NEW.user_id, 0, NEW.logged_at);
END;
