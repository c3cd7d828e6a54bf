package io.wickrcensus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * CPU seconds (user + system) the processes of a night used, from Linux's {@code /proc}: the job's
 * own JVM, the emulator's, and PostgreSQL's (its postmaster with every backend and worker, live
 * or ended). A figure this machine cannot see (another OS, a database on another host) is NaN.
 */
final class ProcessCpu {

    /** Linux's clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on every Linux the job runs on). */
    private static final double TICKS = 100.0;

    /** One reading: CPU seconds so far of the job, PostgreSQL and the emulator. */
    record Sample(double job, double postgres, double emulator) {
        Sample minus(Sample before) {
            return new Sample(job - before.job, postgres - before.postgres, emulator - before.emulator);
        }
    }

    private ProcessCpu() {
    }

    /** The three now; {@code postmaster} is {@link #postmaster}'s answer, -1 when unknown. */
    static Sample sample(long emulatorPid, long postmaster) {
        return new Sample(seconds(ProcessHandle.current().pid(), false), postmaster < 0 ? Double.NaN : tree(postmaster),
                seconds(emulatorPid, false));
    }

    /**
     * Waits a moment for the backends of connections just closed to end and be reaped: an ended
     * backend's CPU is its postmaster's children's only from then (not part of any figure's wall).
     */
    static void settle() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The postmaster of the database {@code ds} reaches: the parent of this connection's backend, if it runs on this host. */
    static long postmaster(DataSource ds) {
        try (Connection c = ds.getConnection(); var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long[] f = fields(rs.getLong(1));
            return f == null ? -1 : f[1];
        } catch (SQLException e) {
            return -1;
        }
    }

    /** A process's CPU seconds, with those of its ended (reaped) children when asked; NaN when /proc has no such process. */
    static double seconds(long pid, boolean reapedChildren) {
        long[] f = fields(pid);
        if (f == null) {
            return Double.NaN;
        }
        return (f[11] + f[12] + (reapedChildren ? f[13] + f[14] : 0)) / TICKS;
    }

    /** A process with its ended children and its live ones (PostgreSQL's backends and workers). */
    static double tree(long pid) {
        double total = seconds(pid, true);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long[] f = fields(Long.parseLong(name));
                    if (f != null && f[1] == pid) {
                        total += (f[11] + f[12]) / TICKS;
                    }
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return total;
    }

    /**
     * The numeric fields of {@code /proc/PID/stat} after the command's name (which may hold spaces,
     * in parentheses): [0] state (as 0), [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14]
     * cstime, in clock ticks; null when there is no such process.
     */
    static long[] fields(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long[] f = new long[Math.min(rest.length, 15)];
        for (int i = 1; i < f.length; i++) {
            f[i] = Long.parseLong(rest[i]);
        }
        return f;
    }
}
