package io.wickrcensus.iceberg;

import java.io.IOException;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compaction of a network's {@code unames} partition: each night appends a file of the answers
 * it resolved, so the partition gathers a file a night. Past the setting's count, its rows are read
 * back with Iceberg's own reader and written as few files, in one rewrite commit. (The answers are
 * the table's own history: PostgreSQL keeps only each uname's latest, so they are read from the
 * table, streamed, never held.)
 */
final class LakeCompaction {

    private static final Logger log = LoggerFactory.getLogger(LakeCompaction.class);

    private LakeCompaction() {
    }

    static void unames(Lake lake, Table table, String networkId, LocalDate asOf, int maxFiles, CompressionCodecName codec,
                       long rowGroupBytes) throws SQLException, IOException {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return;
        }
        long snapshot = table.currentSnapshot().snapshotId();
        Set<DataFile> old = new HashSet<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot)
                .filter(Expressions.equal("network_id", networkId)).planFiles()) {
            for (FileScanTask task : tasks) {
                old.add(task.file());
            }
        }
        if (old.size() <= maxFiles) {
            return;
        }
        List<String> names = LakeTable.UNAMES.columns().stream().map(io.wickrcensus.parquet.ParquetColumn::name).toList();
        long mark = -System.currentTimeMillis();
        lake.commitCompaction(LakeTable.UNAMES, mark, networkId, asOf, (t, txn, w) -> {
            List<DataFile> written = LakeTable.write(t, LakeTable.UNAMES, w, codec, rowGroupBytes, false, sink -> {
                try (CloseableIterable<Record> rows = IcebergGenerics.read(t).useSnapshot(snapshot)
                        .where(Expressions.equal("network_id", networkId)).build()) {
                    for (Record r : rows) {
                        Object[] row = new Object[names.size()];
                        for (int i = 0; i < row.length; i++) {
                            row[i] = r.getField(names.get(i));
                        }
                        sink.accept(row);
                    }
                }
            });
            // validated against the snapshot read: a night appending meanwhile is kept, not lost
            return txn.newRewrite().validateFromSnapshot(snapshot).rewriteFiles(old, new HashSet<>(written));
        });
        log.info("network {}: unames compacted from {} files", networkId, old.size());
    }
}
