package io.wickrcensus.parquet;

/** A column of a Parquet dataset: its name and its type. */
public record ParquetColumn(String name, Kind kind) {

    /** The column types the datasets use, each with its Parquet physical and logical type. */
    public enum Kind {
        /** binary, logical STRING */
        STRING,
        /** int32 */
        INT32,
        /** int64 */
        INT64,
        /** boolean */
        BOOLEAN,
        /** int32, logical DATE */
        DATE,
        /** int64, logical TIMESTAMP(MICROS, UTC) */
        TIMESTAMP,
        /** the three-level list of strings: {@code list<string>} */
        STRING_LIST
    }

    public static ParquetColumn of(String name, Kind kind) {
        return new ParquetColumn(name, kind);
    }
}
