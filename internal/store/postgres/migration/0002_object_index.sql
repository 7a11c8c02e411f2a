-- Objects that live inside an order's document (returns today; shipments,
-- refunds and cancellations can join) are addressable as Graph nodes
-- (GET /{return_id}); this maps their ids to their order.
CREATE TABLE object_index (
	page_id   TEXT COLLATE "C" NOT NULL REFERENCES pages (id),
	object_id TEXT COLLATE "C" NOT NULL,
	order_id  TEXT COLLATE "C" NOT NULL,
	kind      TEXT NOT NULL,
	PRIMARY KEY (page_id, object_id),
	FOREIGN KEY (page_id, order_id) REFERENCES orders (page_id, id)
);
