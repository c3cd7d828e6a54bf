package io.wickrcensus.parquet;

import io.wickrcensus.db.ColumnType;

/** A column of a Parquet dataset: its name and its type. */
public record ParquetColumn(String name, ColumnType kind) {

    public static ParquetColumn of(String name, ColumnType kind) {
        return new ParquetColumn(name, kind);
    }
}
