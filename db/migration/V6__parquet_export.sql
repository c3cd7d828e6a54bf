-- When the run's Parquet datasets were last written; NULL until then (a relaunch writes them).
ALTER TABLE census.run ADD COLUMN parquet_exported_at timestamptz;
