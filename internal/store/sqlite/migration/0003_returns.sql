-- A page's returns, listable by creation time and filterable by status and
-- merchant_return_id without reading every order (GET /{cms_id}/returns).
-- The return itself lives in its order's document; this row mirrors what
-- lists filter on and is written in the same transaction.
CREATE TABLE returns (
	page_id            TEXT NOT NULL REFERENCES pages (id),
	id                 TEXT NOT NULL,
	order_id           TEXT NOT NULL,
	created            BIGINT NOT NULL,
	status             TEXT NOT NULL,
	merchant_return_id TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (page_id, id),
	FOREIGN KEY (page_id, order_id) REFERENCES orders (page_id, id)
);
CREATE INDEX returns_by_created ON returns (page_id, created, id);
