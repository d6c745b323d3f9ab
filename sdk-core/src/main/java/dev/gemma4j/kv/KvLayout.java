package dev.gemma4j.kv;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.config.LayerSpec;

/**
 * Where each layer keeps the key/value of each position. Global layers keep every position of the
 * context ({@code slot = pos}). Sliding layers keep a ring of {@code window + maxChunk - 1} slots
 * ({@code slot = pos % capacity}): a chunk of up to {@code maxChunk} new positions is written before any of
 * them attends, and the oldest of them still needs the {@code window - 1} positions before it, so that many
 * slots are the least that is never overwritten while still visible. Memory per sliding layer is thus
 * O(window), independent of the context length. Engines own the storage; this class owns the policy.
 */
public final class KvLayout {
    private final int context;
    private final int maxChunk;
    private final int[] window;
    private final int[] capacity;

    public KvLayout(GemmaConfig config, int context, int maxChunk) {
        if (context < 1) {
            throw new IllegalArgumentException("context must be >= 1, got " + context);
        }
        if (maxChunk < 1) {
            throw new IllegalArgumentException("prefill chunk must be >= 1, got " + maxChunk);
        }
        this.context = context;
        this.maxChunk = Math.min(maxChunk, context);
        int layers = config.numLayers();
        this.window = new int[layers];
        this.capacity = new int[layers];
        for (int i = 0; i < layers; i++) {
            LayerSpec spec = config.layer(i);
            window[i] = spec.sliding() ? spec.window() : 0;
            capacity[i] = spec.sliding() ? Math.min(context, spec.window() + this.maxChunk - 1) : context;
        }
    }

    /** Positions a session can hold: prompt plus generated tokens. */
    public int context() {
        return context;
    }

    /** Most tokens an engine is asked to process in one forward call. */
    public int maxChunk() {
        return maxChunk;
    }

    public int layers() {
        return capacity.length;
    }

    /** Slots the layer needs at most. */
    public int capacity(int layer) {
        return capacity[layer];
    }

    /** True when the layer only sees a window of recent positions. */
    public boolean sliding(int layer) {
        return window[layer] > 0;
    }

    /** The slot that holds position {@code pos} of layer {@code layer}. */
    public int slot(int layer, int pos) {
        return window[layer] == 0 ? pos : pos % capacity[layer];
    }

    /** The first position that a query at {@code pos} attends to in this layer. */
    public int firstVisible(int layer, int pos) {
        return window[layer] == 0 ? 0 : Math.max(0, pos - window[layer] + 1);
    }

    /**
     * Whether the cache, holding positions {@code [0, cachedLength)}, still has every key that positions
     * from {@code resumeAt} on need, so that computation can resume there. Global layers always have
     * them; a sliding ring has overwritten positions older than {@code cachedLength - capacity}.
     */
    public boolean canResumeAt(int resumeAt, int cachedLength) {
        if (resumeAt > cachedLength) {
            return false;
        }
        for (int i = 0; i < capacity.length; i++) {
            if (window[i] > 0 && cachedLength > capacity[i]) {
                int oldestKept = cachedLength - capacity[i];
                int oldestNeeded = Math.max(0, resumeAt - window[i] + 1);
                if (oldestNeeded < oldestKept) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Slots summed over layers: multiply by kv width, 2 (key and value) and element size for bytes. */
    public long totalSlots() {
        long n = 0;
        for (int c : capacity) {
            n += c;
        }
        return n;
    }
}
