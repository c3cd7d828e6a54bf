-- The uname step skips unames whose lookup failed within the freshness window (in any run of the
-- network), as it skips those resolved within it: this index serves that check.
CREATE INDEX uname_lookup_failure_uname ON census.uname_lookup_failure (uname, failed_at);
