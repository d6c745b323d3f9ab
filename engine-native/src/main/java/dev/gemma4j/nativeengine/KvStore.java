package dev.gemma4j.nativeengine;

import dev.gemma4j.kv.KvLayout;
import java.util.Arrays;

/**
 * Keys and values of one layer, {@code kvDim} floats per slot. Grows by doubling up to the layout's
 * capacity, so a short conversation does not pay for the whole context up front.
 */
final class KvStore {
    private final int capacity;
    private final int kvDim;
    float[] keys = new float[0];
    float[] values = new float[0];

    KvStore(KvLayout layout, int layer, int kvDim) {
        this.capacity = layout.capacity(layer);
        this.kvDim = kvDim;
    }

    /** Makes room for slots {@code [0, slots)}. */
    void ensure(int slots) {
        int have = keys.length / kvDim;
        if (slots <= have) {
            return;
        }
        int grown = Math.min(capacity, Math.max(slots, Math.max(64, have * 2)));
        keys = Arrays.copyOf(keys, grown * kvDim);
        values = Arrays.copyOf(values, grown * kvDim);
    }

    long bytes() {
        return (keys.length + values.length) * 4L;
    }
}
