package io.wickrcensus.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Pages through a listing without materialising it: positions run over the index space in natural
 * order, or over a sorted order of the members, skipping absent or filtered-out entries.
 */
final class Listing {

    record Page<T>(List<T> items, long next) { }

    private Listing() {
    }

    /**
     * Up to {@code max} entries from {@code start}; {@code next} is the position to resume at, or
     * -1 when the listing is exhausted.
     */
    static <T> Page<T> page(int size, IntFunction<T> at, Predicate<T> filter, int[] order, long start, int max) {
        List<T> out = new ArrayList<>(Math.min(max, 128));
        int limit = order == null ? size : order.length;
        long pos = start;
        while (pos < limit && out.size() < max) {
            T t = at.apply(order == null ? (int) pos : order[(int) pos]);
            if (t != null && filter.test(t)) {
                out.add(t);
            }
            pos++;
        }
        return new Page<>(out, pos < limit ? pos : -1);
    }

    /** The indices of the members of the space, ordered by {@code key} (then index); descending if asked. */
    static <T> int[] sortedOrder(int size, IntFunction<T> at, Function<T, String> key, boolean descending) {
        String[] keys = new String[size];
        int n = 0;
        int[] present = new int[size];
        for (int i = 0; i < size; i++) {
            T t = at.apply(i);
            if (t != null) {
                keys[i] = key.apply(t);
                present[n++] = i;
            }
        }
        Integer[] boxed = new Integer[n];
        for (int k = 0; k < n; k++) {
            boxed[k] = present[k];
        }
        Comparator<Integer> byKey = Comparator.<Integer, String>comparing(i -> keys[i]).thenComparing(i -> i);
        Arrays.sort(boxed, descending ? byKey.reversed() : byKey);
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = boxed[k];
        }
        return order;
    }
}
