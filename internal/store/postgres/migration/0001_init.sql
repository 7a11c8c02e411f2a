-- The initial schema, the PostgreSQL twin of sqlite/migration/0001_init.sql.
--
-- Times are BIGINT unix nanoseconds in UTC, as on SQLite, so keyset cursors
-- compare exactly what Go compares (timestamptz keeps only microseconds);
-- 0 stands for the zero time, NULL for "none". Ids are TEXT COLLATE "C",
-- so they sort bytewise like Go strings whatever the database's locale.
--
-- Every table is keyed by page_id first (pages by their id, which is the
-- page id) and no transaction of the engine touches two pages' rows, so a
-- deployment can distribute these tables by page_id (docs/scaling.md).

CREATE TABLE pages (
	id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	cms_id           TEXT COLLATE "C" UNIQUE, -- NULL when the page has none
	name             TEXT    NOT NULL,
	currency         TEXT    NOT NULL,
	handling_days    INTEGER NOT NULL,
	order_management TEXT    NOT NULL,
	clock_offset_ns  BIGINT  NOT NULL,
	created          BIGINT  NOT NULL
);

-- A token is looked up by its hash alone (the request names no page until
-- the token does), so the hash is unique on its own.
CREATE TABLE tokens (
	page_id    TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	hash       TEXT COLLATE "C" NOT NULL UNIQUE,
	role       TEXT   NOT NULL,
	created    BIGINT NOT NULL,
	expires_at BIGINT,
	revoked_at BIGINT,
	PRIMARY KEY (page_id, hash)
);

CREATE TABLE products (
	page_id     TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	id          TEXT COLLATE "C" NOT NULL,
	retailer_id TEXT COLLATE "C" NOT NULL,
	name        TEXT   NOT NULL,
	price       BIGINT NOT NULL,
	sale_price  BIGINT NOT NULL,
	currency    TEXT   NOT NULL,
	PRIMARY KEY (page_id, id),
	UNIQUE (page_id, retailer_id)
);

-- An order is one document (doc, see internal/store/orderdoc) beside the
-- columns that filters, lists and timers use; the columns are derived from
-- the document on every save, so one order read costs one indexed row.
CREATE TABLE orders (
	page_id           TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	id                TEXT COLLATE "C" NOT NULL,
	version           BIGINT  NOT NULL,
	state             TEXT    NOT NULL,
	legacy_status     TEXT    NOT NULL,
	created           BIGINT  NOT NULL,
	last_updated      BIGINT  NOT NULL,
	next_timer_at     BIGINT, -- NULL when no timer is pending
	has_cancellations BOOLEAN NOT NULL,
	has_refunds       BOOLEAN NOT NULL,
	has_shipments     BOOLEAN NOT NULL,
	has_unshipped     BOOLEAN NOT NULL,
	doc               BYTEA   NOT NULL,
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
	page_id  TEXT COLLATE "C" NOT NULL,
	order_id TEXT COLLATE "C" NOT NULL,
	seq      BIGINT NOT NULL,
	kind     TEXT   NOT NULL,
	actor    TEXT   NOT NULL,
	at       BIGINT NOT NULL,
	data     BYTEA,
	PRIMARY KEY (page_id, order_id, seq),
	FOREIGN KEY (page_id, order_id) REFERENCES orders (page_id, id)
);

CREATE TABLE idempotency (
	page_id      TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	object_id    TEXT COLLATE "C" NOT NULL,
	edge         TEXT COLLATE "C" NOT NULL,
	key          TEXT COLLATE "C" NOT NULL,
	request_hash TEXT    NOT NULL,
	status       INTEGER NOT NULL,
	body         BYTEA,
	created      BIGINT  NOT NULL,
	PRIMARY KEY (page_id, object_id, edge, key)
);

-- Expired records are swept by age, across pages.
CREATE INDEX idempotency_created ON idempotency (created);
