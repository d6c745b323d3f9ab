package dev.gemma4j.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.testing.TinyConfigs;
import org.junit.jupiter.api.Test;

class KvLayoutTest {
    /** Layers 0..4 slide with window 8, layer 5 is global. */
    private final GemmaConfig config = TinyConfigs.gemma3(6, 8, 6, 1000);

    @Test
    void slidingLayersKeepOnlyWindowPlusChunk() {
        KvLayout layout = new KvLayout(config, 4096, 4);
        assertEquals(8 + 4 - 1, layout.capacity(0));
        assertEquals(4096, layout.capacity(5));
        assertTrue(layout.sliding(0));
        assertFalse(layout.sliding(5));
        assertEquals(5 * 11 + 4096, layout.totalSlots());
    }

    @Test
    void ringSlotsWrapAndGlobalSlotsDoNot() {
        KvLayout layout = new KvLayout(config, 4096, 4);
        assertEquals(3, layout.slot(0, 3));
        assertEquals(0, layout.slot(0, 11));
        assertEquals(5, layout.slot(0, 27));
        assertEquals(27, layout.slot(5, 27));
    }

    @Test
    void slotsVisibleFromOneChunkNeverCollide() {
        // Every query of a chunk at [s, s+4) sees positions (i-8, i]; those must map to distinct slots.
        KvLayout layout = new KvLayout(config, 4096, 4);
        for (int s = 0; s < 100; s++) {
            java.util.Set<Integer> slots = new java.util.HashSet<>();
            for (int j = Math.max(0, s - 7); j < s + 4; j++) {
                assertTrue(slots.add(layout.slot(0, j)), "slot collision at chunk start " + s + " pos " + j);
            }
        }
    }

    @Test
    void windowStartsAtPosMinusWindowPlusOne() {
        KvLayout layout = new KvLayout(config, 4096, 4);
        assertEquals(0, layout.firstVisible(0, 5));
        assertEquals(13, layout.firstVisible(0, 20));
        assertEquals(0, layout.firstVisible(5, 20));
    }

    @Test
    void contextSmallerThanWindowCapsTheRing() {
        KvLayout layout = new KvLayout(config, 6, 128);
        assertEquals(6, layout.maxChunk());
        assertEquals(6, layout.capacity(0));
    }

    @Test
    void resumingNeedsTheRingToStillHoldTheWindow() {
        KvLayout layout = new KvLayout(config, 4096, 4); // ring capacity 11, window 8
        // Cache holds 30 positions: ring keeps 19..29. Resuming at p needs p-7..p-1.
        assertTrue(layout.canResumeAt(29, 30));
        assertTrue(layout.canResumeAt(26, 30));
        assertFalse(layout.canResumeAt(25, 30));
        assertFalse(layout.canResumeAt(31, 30));
        assertTrue(layout.canResumeAt(3, 10));
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> new KvLayout(config, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new KvLayout(config, 16, 0));
        assertNotEquals(0, new KvLayout(config, 16, 1).capacity(0));
    }
}
