-- The ledger, the PostgreSQL twin of sqlite/migration/0004_ledger.sql:
-- the money each change to an order moved (transactions), the payouts that
-- swept them, and each page's own fee schedule (pages without a row use
-- the platform's default). Every key leads with page_id.
CREATE TABLE transactions (
	page_id             TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	id                  TEXT COLLATE "C" NOT NULL,
	order_id            TEXT COLLATE "C" NOT NULL,
	type                TEXT   NOT NULL,
	date                BIGINT NOT NULL,
	currency            TEXT   NOT NULL,
	gross               BIGINT NOT NULL,
	tax                 BIGINT NOT NULL,
	fee                 BIGINT NOT NULL,
	net                 BIGINT NOT NULL,
	source_id           TEXT COLLATE "C" NOT NULL,
	payout_reference_id TEXT COLLATE "C", -- NULL until a payout sweeps it
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
	page_id      TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	id           TEXT COLLATE "C" NOT NULL,
	reference_id TEXT COLLATE "C" NOT NULL,
	transfer_id  TEXT COLLATE "C" NOT NULL,
	amount       BIGINT  NOT NULL,
	currency     TEXT    NOT NULL,
	date         BIGINT  NOT NULL,
	status       TEXT    NOT NULL,
	transactions INTEGER NOT NULL, -- how many transactions it swept
	PRIMARY KEY (page_id, id),
	UNIQUE (page_id, reference_id)
);
CREATE INDEX payouts_by_date ON payouts (page_id, date, id);

CREATE TABLE fee_schedules (
	page_id           TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES pages (id),
	rate_basis_points BIGINT NOT NULL,
	flat              BIGINT NOT NULL,
	flat_up_to        BIGINT NOT NULL,
	chargeback_fee    BIGINT NOT NULL
);
