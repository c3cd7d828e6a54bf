package io.wickrcensus.sparkcheck;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs SQL statements against the job's Iceberg tables with Spark in local mode, through the JDBC
 * catalog, and prints each result row as {@code N<TAB>value<TAB>value...} (N the statement's
 * number, from 1). Arguments: the catalog's JDBC URL, user, password, the warehouse location, then
 * the statements. The catalog is called {@code census}, as the job names it.
 */
public final class SparkCheck {

    private SparkCheck() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .appName("wickr-census-spark-check")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .config("spark.sql.catalog.census", "org.apache.iceberg.spark.SparkCatalog")
                .config("spark.sql.catalog.census.type", "jdbc")
                .config("spark.sql.catalog.census.uri", args[0])
                .config("spark.sql.catalog.census.jdbc.user", args[1])
                .config("spark.sql.catalog.census.jdbc.password", args[2])
                .config("spark.sql.catalog.census.jdbc.init-catalog-tables", "false")
                .config("spark.sql.catalog.census.jdbc.schema-version", "V1")
                .config("spark.sql.catalog.census.warehouse", args[3])
                .getOrCreate();
        try {
            for (int i = 4; i < args.length; i++) {
                List<Row> rows = spark.sql(args[i]).collectAsList();
                for (Row r : rows) {
                    StringBuilder sb = new StringBuilder().append(i - 3);
                    for (int k = 0; k < r.length(); k++) {
                        sb.append('\t').append(r.isNullAt(k) ? "null" : String.valueOf(r.get(k)));
                    }
                    System.out.println(sb);
                }
            }
        } finally {
            spark.stop();
        }
    }
}
