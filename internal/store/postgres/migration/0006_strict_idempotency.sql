-- A page set to strict requires idempotency_key on the writes legacy v3.2
-- clients also call (acknowledge_order(s), shipments, cancel_order,
-- refund_order), as the current API does everywhere.
ALTER TABLE pages ADD COLUMN strict_idempotency BOOLEAN NOT NULL DEFAULT false;
