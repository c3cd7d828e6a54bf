package io.wickrcensus.db;

/** The column types the snapshot tables and the Parquet datasets share, with their PostgreSQL and Parquet types. */
public enum ColumnType {
    /** text; Parquet binary, logical STRING */
    STRING,
    /** int; Parquet int32 */
    INT32,
    /** bigint; Parquet int64 */
    INT64,
    /** boolean */
    BOOLEAN,
    /** date; Parquet int32, logical DATE */
    DATE,
    /** timestamptz; Parquet int64, logical TIMESTAMP(MICROS, UTC) */
    TIMESTAMP,
    /** text[]; Parquet's three-level {@code list<string>} */
    STRING_LIST
}
