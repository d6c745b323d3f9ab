package dev.gemma4j.sampling;

import java.util.Arrays;

/**
 * Occurrence counts of token ids plus the list of distinct ids seen, so that penalties cost O(distinct tokens)
 * per step instead of a scan of the whole vocabulary.
 */
final class TokenCounts {
    private final int[] counts;
    private int[] distinct = new int[64];
    private int size;

    TokenCounts(int vocabSize) {
        counts = new int[vocabSize];
    }

    void add(int id) {
        if (counts[id]++ == 0) {
            if (size == distinct.length) {
                distinct = Arrays.copyOf(distinct, size * 2);
            }
            distinct[size++] = id;
        }
    }

    int distinctCount() {
        return size;
    }

    /** The {@code i}-th distinct id, in order of first occurrence. */
    int distinctId(int i) {
        return distinct[i];
    }

    int count(int id) {
        return counts[id];
    }
}
