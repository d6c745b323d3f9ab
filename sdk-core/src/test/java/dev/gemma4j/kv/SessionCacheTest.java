package dev.gemma4j.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemma4j.testing.TinyConfigs;
import org.junit.jupiter.api.Test;

class SessionCacheTest {
    private final KvLayout layout = new KvLayout(TinyConfigs.gemma3(6, 8, 6, 1000), 4096, 4);

    private SessionCache holding(int... ids) {
        SessionCache cache = new SessionCache(layout);
        cache.record(0, ids, 0, ids.length);
        return cache;
    }

    @Test
    void reusesTheCommonPrefix() {
        SessionCache cache = holding(2, 10, 11, 12, 13);
        assertEquals(4, cache.reusablePrefix(new int[] {2, 10, 11, 12, 99, 100}));
        assertEquals(0, cache.reusablePrefix(new int[] {3, 10}));
    }

    @Test
    void alwaysLeavesOneTokenToCompute() {
        SessionCache cache = holding(2, 10, 11);
        assertEquals(2, cache.reusablePrefix(new int[] {2, 10, 11}));
        assertEquals(0, cache.reusablePrefix(new int[] {2}));
    }

    @Test
    void extendingAConversationReusesEverything() {
        int[] history = new int[40];
        for (int i = 0; i < history.length; i++) {
            history[i] = i + 2;
        }
        SessionCache cache = holding(history);
        int[] next = java.util.Arrays.copyOf(history, 50);
        assertEquals(40, cache.reusablePrefix(next));
    }

    @Test
    void divergenceOlderThanTheRingMeansFullRecompute() {
        int[] history = new int[40];
        for (int i = 0; i < history.length; i++) {
            history[i] = i + 2;
        }
        SessionCache cache = holding(history);
        int[] edited = history.clone();
        edited[20] = 999; // the sliding layers' ring (11 slots) no longer holds positions 13..19
        assertEquals(0, cache.reusablePrefix(edited));
        edited = history.clone();
        edited[37] = 999; // the ring holds 29..39, and resuming at 37 needs 30..36
        assertEquals(37, cache.reusablePrefix(edited));
    }

    @Test
    void recordTruncatesWhatFollows() {
        SessionCache cache = holding(2, 10, 11, 12);
        cache.record(2, new int[] {50}, 0, 1);
        assertArrayEquals(new int[] {2, 10, 50}, cache.tokens());
        cache.clear();
        assertEquals(0, cache.length());
    }
}
