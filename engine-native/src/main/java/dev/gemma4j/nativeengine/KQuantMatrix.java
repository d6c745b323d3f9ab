package dev.gemma4j.nativeengine;

import dev.gemma4j.weights.DType;
import java.lang.foreign.MemorySegment;

/**
 * GGUF k-quant weights, Q4_K or Q6_K, in super-blocks of 256 weights:
 * <ul>
 *   <li>Q4_K, 144 bytes: f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins of 8 sub-blocks of 32,
 *       128 bytes of nibbles (per 64-weight group the 32 low nibbles first, then the 32 high ones); the
 *       weight is {@code d * scale_j * q - dmin * min_j};</li>
 *   <li>Q6_K, 210 bytes: 128 bytes of low nibbles, 64 bytes of high bit pairs, 16 int8 scales of
 *       16-weight sub-blocks, f16 d; the weight is {@code d * scale_i * (q - 32)}.</li>
 * </ul>
 * Each row is dequantized once per product into a row buffer (scalar), then multiplied with every token
 * (vector): correct and reused across tokens, but not tuned for speed (these formats appear in Q4_K_M
 * files; the benchmarked formats are Q8_0 and Q4_0).
 */
final class KQuantMatrix extends Matrix {
    static final int BLOCK = 256;

    private final DType type;
    private final long rowBytes;

    KQuantMatrix(MemorySegment data, int rows, int cols, DType type) {
        if (type != DType.Q4_K && type != DType.Q6_K) {
            throw new IllegalArgumentException("not a k-quant type: " + type);
        }
        QuantizedBlocks.requireWholeBlocks(cols, BLOCK, type.name());
        super(data, rows, cols);
        this.type = type;
        this.rowBytes = (long) (cols / BLOCK) * type.blockBytes();
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException(type + " data of " + data.byteSize() + " bytes for " + rows + " x "
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
        for (int c = 0; c < cols; c += BLOCK, b += type.blockBytes()) {
            if (type == DType.Q4_K) {
                QuantizedBlocks.dequantQ4K(data, b, scale, dst, off + c);
            } else {
                QuantizedBlocks.dequantQ6K(data, b, scale, dst, off + c);
            }
        }
    }

    @Override
    public long bytes() {
        return rowBytes * rows;
    }
}
