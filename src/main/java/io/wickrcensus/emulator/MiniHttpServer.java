package io.wickrcensus.emulator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small blocking HTTP/1.1 server: one thread per connection, keep-alive, Content-Length and
 * chunked request bodies, {@code Expect: 100-continue}, and each answer written in one piece with
 * TCP_NODELAY. The JDK's built-in server cost about a millisecond per call on loopback, which made
 * the emulator the bottleneck of any benchmark; this one costs tens of microseconds. It also lets
 * the emulator cut an answer short or drop a connection on purpose.
 */
final class MiniHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MiniHttpServer.class);
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_BODY = 8 * 1024 * 1024;

    /** Handles one request; must call exactly one of the exchange's answer methods. */
    interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    private final ServerSocket socket;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Handler handler;
    private volatile boolean closed;

    MiniHttpServer(String bindAddress, int port, Handler handler) throws IOException {
        this.handler = handler;
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 512);
        AtomicInteger n = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "wickr-emulator-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Thread acceptor = new Thread(this::acceptLoop, "wickr-emulator-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                s.setTcpNoDelay(true);
                open.add(s);
                connections.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    log.debug("accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            OutputStream out = s.getOutputStream();
            while (!closed) {
                Exchange ex = read(in, out);
                if (ex == null) {
                    return;
                }
                handler.handle(ex);
                if (!ex.answered) {
                    throw new IllegalStateException("handler gave no answer");
                }
                if (ex.dropped || ex.closeAfter) {
                    return;
                }
            }
        } catch (EOFException | SocketException e) {
            // the client went away
        } catch (IOException | RuntimeException e) {
            log.debug("connection ended: {}", e.toString());
        } finally {
            open.remove(s);
        }
    }

    private static Exchange read(InputStream in, OutputStream out) throws IOException {
        String requestLine = line(in);
        if (requestLine == null) {
            return null;
        }
        if (requestLine.isEmpty()) {
            requestLine = line(in); // tolerate one stray CRLF between requests
            if (requestLine == null) {
                return null;
            }
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            throw new IOException("malformed request line");
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line");
            }
            headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>(1)).add(h.substring(colon + 1).trim());
        }
        if (h == null) {
            throw new EOFException();
        }
        String target = parts[1];
        int q = target.indexOf('?');
        Exchange ex = new Exchange(parts[0], q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1),
                headers, out);
        String connection = first(headers, "Connection");
        ex.closeAfter = parts[2].equals("HTTP/1.0") ? !"keep-alive".equalsIgnoreCase(connection) : "close".equalsIgnoreCase(connection);
        if ("100-continue".equalsIgnoreCase(first(headers, "Expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        String te = first(headers, "Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ex.body = chunked(in);
        } else {
            String cl = first(headers, "Content-Length");
            int len = cl == null ? 0 : Integer.parseInt(cl.trim());
            if (len < 0 || len > MAX_BODY) {
                throw new IOException("request body too large");
            }
            ex.body = in.readNBytes(len);
            if (ex.body.length != len) {
                throw new EOFException();
            }
        }
        return ex;
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            if (sizeLine == null) {
                throw new EOFException();
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY) {
                throw new IOException("request body too large");
            }
            body.write(in.readNBytes(size));
            line(in);
        }
    }

    /** A line without its CRLF, or null at end of stream before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = buf.toByteArray();
                int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            if (buf.size() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            buf.write(c);
        }
        if (buf.size() == 0) {
            return null;
        }
        throw new EOFException();
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the listener: {}", e.toString());
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("closing a connection: {}", e.toString());
            }
        }
        connections.shutdownNow();
        try {
            connections.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request and the means to answer it. */
    static final class Exchange {
        final String method;
        final String rawPath;
        final String rawQuery;
        final Map<String, List<String>> headers;
        byte[] body;
        private final OutputStream out;
        private boolean answered;
        private boolean dropped;
        private boolean closeAfter;

        Exchange(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, OutputStream out) {
            this.method = method;
            this.rawPath = rawPath;
            this.rawQuery = rawQuery;
            this.headers = headers;
            this.out = out;
        }

        String header(String name) {
            return first(headers, name);
        }

        /** Answers in one write. */
        void respond(int status, Map<String, String> responseHeaders, byte[] responseBody) throws IOException {
            write(status, responseHeaders, responseBody, responseBody.length);
        }

        /** Promises the whole body but sends only {@code sent} bytes of it, then closes the connection. */
        void respondTruncated(int status, Map<String, String> responseHeaders, byte[] responseBody, int sent) throws IOException {
            write(status, responseHeaders, responseBody, sent);
            dropped = true;
        }

        /** Closes the connection without an answer. */
        void drop() {
            answered = true;
            dropped = true;
        }

        private void write(int status, Map<String, String> responseHeaders, byte[] responseBody, int sent) throws IOException {
            answered = true;
            StringBuilder head = new StringBuilder(256);
            head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
            responseHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(responseBody.length).append("\r\n");
            if (closeAfter) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[h.length + sent];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(responseBody, 0, all, h.length, sent);
            out.write(all);
            out.flush();
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 400 -> "Bad Request";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "Not Found";
                case 422 -> "Unprocessable Entity";
                case 429 -> "Too Many Requests";
                case 500 -> "Internal Server Error";
                default -> "Status";
            };
        }
    }
}
