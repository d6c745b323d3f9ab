package dev.gemma4j.spi;

/**
 * One sequence's KV storage and the forward pass over it. Not thread-safe: a session is used by one
 * generation at a time.
 */
public interface EngineSession extends AutoCloseable {

    /**
     * Runs {@code tokens} (at most {@code layout.maxChunk()} of them) at positions
     * {@code startPos, startPos + 1, ...}, storing their keys and values at the layout's slots, and writes
     * logits (after the final softcap) into {@code logits}: only the last position's ({@code vocab}
     * floats) unless {@code allPositions}, then every position's, row by row ({@code tokens.length * vocab}).
     * Positions before {@code startPos} must already be in the storage.
     */
    void forward(int[] tokens, int startPos, float[] logits, boolean allPositions);

    @Override
    void close();
}
