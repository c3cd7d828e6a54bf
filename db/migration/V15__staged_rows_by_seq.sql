-- The head start of uname lookups reads back the rows each staging commit wrote, by their sequence
-- number within the slice, while paging goes on (#14): these keep each read to the rows it names,
-- however large the staged snapshot has grown. Both are appended to in seq order.
CREATE INDEX stage_user_seq ON census.stage_user (run_id, seq);
CREATE INDEX stage_guest_seq ON census.stage_guest (run_id, billing_period, seq);
