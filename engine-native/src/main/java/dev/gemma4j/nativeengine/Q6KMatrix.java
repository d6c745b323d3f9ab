package dev.gemma4j.nativeengine;

import java.lang.foreign.MemorySegment;

/**
 * GGUF Q6_K weights: super-blocks of 256 (210 bytes: 128 bytes of low nibbles, 64 bytes of high bit
 * pairs, 16 int8 scales of 16-weight sub-blocks, f16 d); the weight is {@code d * scale_i * (q - 32)}.
 * Each row is dequantized once per product into a row buffer (scalar), then multiplied with every token
 * (vector): correct and reused across tokens, but not tuned for speed.
 */
final class Q6KMatrix implements Matrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final long rowBytes;

    Q6KMatrix(MemorySegment data, int rows, int cols) {
        QuantizedBlocks.requireWholeBlocks(cols, BLOCK, "Q6_K");
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = (long) (cols / BLOCK) * BLOCK_BYTES;
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("Q6_K data of " + data.byteSize() + " bytes for " + rows + " x "
                    + cols);
        }
    }

    @Override
    public void multiply(float[] x, int n, float[] out, int outStride, int from, int to) {
        float[] w = new float[cols];
        for (int r = from; r < to; r++) {
            row(r, 1f, w, 0);
            QuantizedBlocks.multiplyDecoded(w, cols, x, n, out, outStride, r);
        }
    }

    @Override
    public void row(int r, float scale, float[] dst, int off) {
        long b = r * rowBytes;
        for (int c = 0; c < cols; c += BLOCK, b += BLOCK_BYTES) {
            QuantizedBlocks.dequantQ6K(data, b, scale, dst, off + c);
        }
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return rowBytes * rows;
    }
}
