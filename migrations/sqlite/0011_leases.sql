-- One scheduler at a time, however many replicas run: the lease's holder plans, sends and
-- housekeeps; the others stand by and take it over once it runs out. `epoch` grows with each
-- new holder, a fencing token: a holder that lost the lease cannot write a plan any more.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    epoch      INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);

-- A due row is claimed by the replica that will send it, until a time: a claim whose holder
-- died is taken over once it runs out, and only the claimer may mark the row as being sent.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_until TEXT;
