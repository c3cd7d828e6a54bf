package io.wickrcensus.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.datasource.AbstractDataSource;

/** A data source over a test database that counts the connections it handed out and that are not closed yet. */
public final class TrackingDataSource extends AbstractDataSource {

    private final String url;
    private final AtomicInteger open = new AtomicInteger();

    public TrackingDataSource(String url) {
        this.url = url;
    }

    /** Connections handed out and not closed. */
    public int open() {
        return open.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = DriverManager.getConnection(url, "postgres", "");
        open.incrementAndGet();
        boolean[] closed = {false};
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("close") && !closed[0]) {
                        closed[0] = true;
                        open.decrementAndGet();
                    }
                    if (m.getName().equals("unwrap") || m.getName().equals("isWrapperFor")) {
                        return m.invoke(c, args);
                    }
                    try {
                        return m.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }
}
