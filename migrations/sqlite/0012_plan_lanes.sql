-- How far each lane of the plan is written into the outbox (domain/lane.rs): a weekly message
-- a week ahead, a dense trigger its next few times. `scheduler_state.planned_until` keeps the
-- earliest of them.
CREATE TABLE plan_lanes (
    lane          TEXT PRIMARY KEY NOT NULL,
    planned_until TEXT NOT NULL
);

-- The lease holder's host and process: on SQLite (one host) a restarted process takes over at
-- once from a holder whose process is provably gone, instead of waiting for its lease to end.
ALTER TABLE leases ADD COLUMN host TEXT;
ALTER TABLE leases ADD COLUMN pid INTEGER;
