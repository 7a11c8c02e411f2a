-- The ledger: the money each change to an order moved (transactions), the
-- payouts that swept them to the seller's bank, and each page's own fee
-- schedule (pages without a row use the platform's default).
--
-- A transaction is written in the transaction of the change that posted
-- it, so an order and its money never disagree. Its id is derived from
-- what posted it (the shipment, refund or chargeback and the type), so
-- posting a change twice collides on the key.
CREATE TABLE transactions (
	page_id             TEXT    NOT NULL REFERENCES pages (id),
	id                  TEXT    NOT NULL,
	order_id            TEXT    NOT NULL,
	type                TEXT    NOT NULL,
	date                INTEGER NOT NULL,
	currency            TEXT    NOT NULL,
	gross               INTEGER NOT NULL,
	tax                 INTEGER NOT NULL,
	fee                 INTEGER NOT NULL,
	net                 INTEGER NOT NULL,
	source_id           TEXT    NOT NULL,
	payout_reference_id TEXT, -- NULL until a payout sweeps it
	PRIMARY KEY (page_id, id),
	FOREIGN KEY (page_id, order_id) REFERENCES orders (page_id, id)
);
-- Keyset lists by date (commerce_transactions).
CREATE INDEX transactions_by_date ON transactions (page_id, date, id);
-- An order's transactions (transaction_details, verify).
CREATE INDEX transactions_by_order ON transactions (page_id, order_id);
-- A payout's transactions (payout_reference_id filter).
CREATE INDEX transactions_by_payout ON transactions (page_id, payout_reference_id, date);
-- Unpaid transactions, which payout runs scan every timer round: only
-- those, since swept ones leave the index.
CREATE INDEX transactions_unpaid ON transactions (page_id, date, id)
	WHERE payout_reference_id IS NULL;

CREATE TABLE payouts (
	page_id      TEXT    NOT NULL REFERENCES pages (id),
	id           TEXT    NOT NULL,
	reference_id TEXT    NOT NULL,
	transfer_id  TEXT    NOT NULL,
	amount       INTEGER NOT NULL,
	currency     TEXT    NOT NULL,
	date         INTEGER NOT NULL,
	status       TEXT    NOT NULL,
	transactions INTEGER NOT NULL, -- how many transactions it swept
	PRIMARY KEY (page_id, id),
	UNIQUE (page_id, reference_id)
);
CREATE INDEX payouts_by_date ON payouts (page_id, date, id);

CREATE TABLE fee_schedules (
	page_id           TEXT    NOT NULL PRIMARY KEY REFERENCES pages (id),
	rate_basis_points INTEGER NOT NULL,
	flat              INTEGER NOT NULL,
	flat_up_to        INTEGER NOT NULL,
	chargeback_fee    INTEGER NOT NULL
);
