-- Publish sequence numbers without gaps: a sequence hands out a number even to a publish whose
-- transaction is then rolled back (a crash, a lost connection), so the history's valid_from of a
-- relaunched run differed from an uninterrupted run's. The number now comes from this one-row
-- counter, incremented inside the publish transaction: rolled back with it, and its row lock
-- serialises publishes (which the publish step also needs). Only roles that may write the census
-- schema can take that lock, unlike an advisory lock, which any session can hold.
CREATE TABLE census.publish_counter (
    id   int    PRIMARY KEY CHECK (id = 1),
    last bigint NOT NULL
);
INSERT INTO census.publish_counter (id, last) SELECT 1, coalesce(max(publish_seq), 0) FROM census.run;
