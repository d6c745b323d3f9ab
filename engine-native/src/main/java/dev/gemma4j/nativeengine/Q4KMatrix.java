package dev.gemma4j.nativeengine;

import java.lang.foreign.MemorySegment;

/**
 * GGUF Q4_K weights: super-blocks of 256 (144 bytes: f16 d, f16 dmin, 12 bytes of packed 6-bit scales and
 * mins of 8 sub-blocks of 32, 128 bytes of nibbles; per 64-weight group the 32 low nibbles come first, then
 * the 32 high ones); the weight is {@code d * scale_j * q - dmin * min_j}.
 * Each row is dequantized once per product into a row buffer (scalar), then multiplied with every token
 * (vector): correct and reused across tokens, but not tuned for speed.
 */
final class Q4KMatrix implements Matrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final long rowBytes;

    Q4KMatrix(MemorySegment data, int rows, int cols) {
        QuantizedBlocks.requireWholeBlocks(cols, BLOCK, "Q4_K");
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = (long) (cols / BLOCK) * BLOCK_BYTES;
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("Q4_K data of " + data.byteSize() + " bytes for " + rows + " x "
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
            QuantizedBlocks.dequantQ4K(data, b, scale, dst, off + c);
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
