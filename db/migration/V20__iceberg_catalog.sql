-- Apache Iceberg tables beside the Parquet datasets (#26). Iceberg's JdbcCatalog keeps, per table,
-- the location of its current metadata file; it lives here, in the job's own PostgreSQL, in a
-- schema of its own. The catalog runs with jdbc.init-catalog-tables=false and
-- jdbc.schema-version=V1 and currentSchema=iceberg_catalog: left to create its tables itself, it
-- skips creation when another schema of the search path already has an iceberg_tables, and then
-- fails (apache/iceberg#17300). The DDL is the catalog's own (JdbcUtil, V1: iceberg_type added).
CREATE SCHEMA iceberg_catalog;

CREATE TABLE iceberg_catalog.iceberg_tables (
    catalog_name               VARCHAR(255) NOT NULL,
    table_namespace            VARCHAR(255) NOT NULL,
    table_name                 VARCHAR(255) NOT NULL,
    metadata_location          VARCHAR(1000),
    previous_metadata_location VARCHAR(1000),
    iceberg_type               VARCHAR(5),
    PRIMARY KEY (catalog_name, table_namespace, table_name)
);

CREATE TABLE iceberg_catalog.iceberg_namespace_properties (
    catalog_name   VARCHAR(255) NOT NULL,
    namespace      VARCHAR(255) NOT NULL,
    property_key   VARCHAR(255),
    property_value VARCHAR(1000),
    PRIMARY KEY (catalog_name, namespace, property_key)
);

COMMENT ON SCHEMA iceberg_catalog IS 'Iceberg''s JdbcCatalog: where each table''s current metadata file is. An engine''s JDBC catalog reads it (auditors may); only the job writes it.';

-- auditors point an engine's JDBC catalog here: it reads these rows and nothing else of the database
GRANT USAGE ON SCHEMA iceberg_catalog TO "${auditor_role}";
GRANT SELECT ON iceberg_catalog.iceberg_tables, iceberg_catalog.iceberg_namespace_properties TO "${auditor_role}";

-- The ledger records when a run's night was committed to the Iceberg tables (runs, the last table,
-- committed), and when its retraction was: a relaunch of a published run does what is missing.
ALTER TABLE census.run
    ADD COLUMN iceberg_committed_at  timestamptz,
    ADD COLUMN retraction_iceberg_at timestamptz;
