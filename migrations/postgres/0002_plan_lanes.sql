-- How far each lane of the plan is written into the outbox (domain/lane.rs): a weekly message
-- a week ahead, a dense trigger its next few times. `scheduler_state.planned_until` keeps the
-- earliest of them.
CREATE TABLE plan_lanes (
    lane          TEXT PRIMARY KEY NOT NULL,
    planned_until TIMESTAMPTZ NOT NULL
);

-- The lease holder's host and process, as on SQLite; here the lease's expiry alone decides,
-- since replicas run on other hosts.
ALTER TABLE leases ADD COLUMN host TEXT;
ALTER TABLE leases ADD COLUMN pid BIGINT;
