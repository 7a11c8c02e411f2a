-- The initial schema.
--
-- Times are INTEGER unix nanoseconds in UTC, so keyset cursors compare
-- exactly what Go compares; 0 stands for the zero time, NULL for "none".
-- Every primary key starts with page_id (pages: id; tokens: looked up by
-- hash but carrying page_id), so the same shape distributes by page on a
-- Citus-style PostgreSQL without code changes.

CREATE TABLE pages (
	id               TEXT    NOT NULL PRIMARY KEY,
	cms_id           TEXT    UNIQUE, -- NULL when the page has none
	name             TEXT    NOT NULL,
	currency         TEXT    NOT NULL,
	handling_days    INTEGER NOT NULL,
	order_management TEXT    NOT NULL,
	clock_offset_ns  INTEGER NOT NULL,
	created          INTEGER NOT NULL
);

CREATE TABLE tokens (
	hash       TEXT    NOT NULL PRIMARY KEY,
	page_id    TEXT    NOT NULL REFERENCES pages (id),
	role       TEXT    NOT NULL,
	created    INTEGER NOT NULL,
	expires_at INTEGER,
	revoked_at INTEGER
);

CREATE INDEX tokens_page_id ON tokens (page_id);

CREATE TABLE products (
	page_id     TEXT    NOT NULL REFERENCES pages (id),
	id          TEXT    NOT NULL,
	retailer_id TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	price       INTEGER NOT NULL,
	sale_price  INTEGER NOT NULL,
	currency    TEXT    NOT NULL,
	PRIMARY KEY (page_id, id),
	UNIQUE (page_id, retailer_id)
);

-- An order is one JSON document (doc) beside the columns that filters,
-- lists and timers use; the columns are derived from the document on every
-- save, so one order read costs one indexed row.
CREATE TABLE orders (
	page_id           TEXT    NOT NULL REFERENCES pages (id),
	id                TEXT    NOT NULL,
	version           INTEGER NOT NULL,
	state             TEXT    NOT NULL,
	legacy_status     TEXT    NOT NULL,
	created           INTEGER NOT NULL,
	last_updated      INTEGER NOT NULL,
	next_timer_at     INTEGER, -- NULL when no timer is pending
	has_cancellations INTEGER NOT NULL,
	has_refunds       INTEGER NOT NULL,
	has_shipments     INTEGER NOT NULL,
	has_unshipped     INTEGER NOT NULL,
	doc               BLOB    NOT NULL,
	PRIMARY KEY (page_id, id)
);

-- Keyset lists.
CREATE INDEX orders_last_updated ON orders (page_id, last_updated, id);
-- Lists filtered on one state, and counts per state.
CREATE INDEX orders_state ON orders (page_id, state, last_updated, id);
-- Due timers; most orders have none.
CREATE INDEX orders_next_timer_at ON orders (page_id, next_timer_at, id)
	WHERE next_timer_at IS NOT NULL;

CREATE TABLE order_events (
	page_id  TEXT    NOT NULL,
	order_id TEXT    NOT NULL,
	seq      INTEGER NOT NULL,
	kind     TEXT    NOT NULL,
	actor    TEXT    NOT NULL,
	at       INTEGER NOT NULL,
	data     BLOB,
	PRIMARY KEY (page_id, order_id, seq),
	FOREIGN KEY (page_id, order_id) REFERENCES orders (page_id, id)
);

CREATE TABLE idempotency (
	page_id      TEXT    NOT NULL REFERENCES pages (id),
	object_id    TEXT    NOT NULL,
	edge         TEXT    NOT NULL,
	key          TEXT    NOT NULL,
	request_hash TEXT    NOT NULL,
	status       INTEGER NOT NULL,
	body         BLOB,
	created      INTEGER NOT NULL,
	PRIMARY KEY (page_id, object_id, edge, key)
);
