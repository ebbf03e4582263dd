-- A live-deal application may name the CRM opportunity it was applied in (`deal:<id>`), so
-- outcomes can be split by deals with and without a logged application.
ALTER TABLE practice_logs ADD COLUMN deal_id TEXT;
