-- Finding a later occurrence of the same source for the same recipient (skip_superseded runs
-- every tick) was a scan of the outbox per pending row: 10 s a tick with 10,000 pending.
CREATE INDEX outbox_by_source_recipient ON outbox (source, recipient, due_at);
