-- A run published although its counts did not reconcile (--reconcile=warn) is flagged where finance
-- reads its figures too, not only in census.runs (which finance may not read).
CREATE OR REPLACE VIEW census.guest_counts AS
SELECT p.network_id, rp.billing_period, p.snapshot_date, p.run_id,
       (SELECT count(*) FROM census.guest_version g
         WHERE g.network_id = p.network_id AND g.billing_period = rp.billing_period
           AND g.valid_from <= p.publish_seq AND (g.valid_to IS NULL OR g.valid_to > p.publish_seq)) AS guests,
       rp.guests_reported,
       r.reconcile_outcome, r.reconcile_detail
FROM census.published_runs p
JOIN census.run_period rp ON rp.run_id = p.run_id
JOIN census.run r ON r.run_id = p.run_id;
