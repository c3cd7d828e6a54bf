package io.wickrcensus.api;

import io.wickrcensus.api.errors.MalformedResponseException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;

/**
 * The pages of a paginated operation, fetched lazily: a page is requested only when the iteration
 * reaches it, and only one page is held at a time. Each call of {@link #iterator()} starts again
 * from the first page.
 *
 * @param <P> the page (response) type
 */
public final class Paginator<P> implements Iterable<P> {

    private final String operation;
    private final String firstToken;
    private final Function<String, P> fetch;
    private final Function<P, String> nextToken;

    Paginator(String operation, String firstToken, Function<String, P> fetch, Function<P, String> nextToken) {
        this.operation = operation;
        this.firstToken = firstToken;
        this.fetch = Objects.requireNonNull(fetch);
        this.nextToken = Objects.requireNonNull(nextToken);
    }

    @Override
    public Iterator<P> iterator() {
        return new Iterator<>() {
            private String token = firstToken;
            private boolean done;
            private P next;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    next = fetch.apply(token);
                    String following = nextToken.apply(next);
                    if (following == null || following.isEmpty()) {
                        done = true;
                    } else if (following.equals(token)) {
                        throw MalformedResponseException.of(operation
                                + " returned the nextToken it was given: the pagination would never end", null);
                    }
                    token = following;
                }
                return next != null;
            }

            @Override
            public P next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                P p = next;
                next = null;
                return p;
            }
        };
    }

    /** The items of every page, in order, still one page in memory at a time. */
    public <T> Iterable<T> items(Function<P, List<T>> itemsOf) {
        return () -> new Iterator<>() {
            private final Iterator<P> pages = Paginator.this.iterator();
            private Iterator<T> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && pages.hasNext()) {
                    current = itemsOf.apply(pages.next()).iterator();
                }
                return current.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}
