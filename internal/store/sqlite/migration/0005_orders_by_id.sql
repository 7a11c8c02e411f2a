-- The sandbox addresses an order by its id alone (a scripted buyer
-- cancelling, a chargeback): this finds its page without visiting every
-- page. It is the one lookup that does not start with page_id; on a
-- deployment distributed by page_id it fans out to every shard, which only
-- sandbox calls without a page_id pay.
CREATE INDEX orders_by_id ON orders (id);
