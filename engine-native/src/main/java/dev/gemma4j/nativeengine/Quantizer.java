package dev.gemma4j.nativeengine;

import dev.gemma4j.weights.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Load-time quantization of float weights to Q8_0 or Q4_0, bit-identical to ggml's reference quantizers
 * ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}): all arithmetic in float32, scales rounded
 * to f16 (round to nearest even) only when stored.
 *
 * <ul>
 *   <li>Q8_0: {@code d = max|x| / 127}, {@code id = d != 0 ? 1 / d : 0} (from the float {@code d}, before
 *       its f16 rounding), {@code q = roundf(x * id)} (half away from zero).</li>
 *   <li>Q4_0: {@code m} = the element of largest |x| (the first on ties, sign kept), {@code d = m / -8},
 *       {@code id = d != 0 ? 1 / d : 0}, {@code q = min(15, (int) (x * id + 8.5f))}, byte {@code j} =
 *       {@code q[j] | q[j + 16] << 4}.</li>
 * </ul>
 */
final class Quantizer {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final int QK = 32;

    private Quantizer() {
    }

    /**
     * {@code m} quantized to {@code target} (Q8_0 or Q4_0) in a new segment of {@code arena}, rows split over
     * {@code parallel} ({@code null}: on this thread). The source is read through {@link Matrix#row} (exact for
     * F32, F16 and BF16). {@code arena} must be shared (or global / automatic): the workers write the blocks,
     * and every matrix product reads them from the engine's workers.
     *
     * @throws IllegalArgumentException if the target is not Q8_0 / Q4_0 or a row is not a whole number of blocks
     */
    static Matrix quantize(Matrix m, DType target, Arena arena, Parallel parallel) {
        int rows = m.rows();
        int cols = m.cols();
        if (target != DType.Q8_0 && target != DType.Q4_0) {
            throw new IllegalArgumentException("no load-time quantizer for " + target);
        }
        QuantizedBlocks.requireWholeBlocks(cols, QK, target.name());
        long rowBytes = target.byteSize(cols);
        MemorySegment out = arena.allocate(rowBytes * rows, 64);
        boolean q8 = target == DType.Q8_0;
        RowQuantizer body = (from, to) -> {
            float[] buf = new float[cols];
            for (int r = from; r < to; r++) {
                m.row(r, 1f, buf, 0);
                if (q8) {
                    quantizeQ8_0(buf, 0, cols, out, r * rowBytes);
                } else {
                    quantizeQ4_0(buf, 0, cols, out, r * rowBytes);
                }
            }
        };
        if (parallel == null) {
            body.run(0, rows);
        } else {
            parallel.forRange(rows, Math.max(1, 65536 / cols), body::run);
        }
        return q8 ? new Q8_0Matrix(out, rows, cols) : new Q4_0Matrix(out, rows, cols);
    }

    @FunctionalInterface
    private interface RowQuantizer {
        void run(int from, int to);
    }

    /** {@code x[off .. off + n)} ({@code n % 32 == 0}) as Q8_0 blocks written at {@code dst[dstOff ..)}. */
    static void quantizeQ8_0(float[] x, int off, int n, MemorySegment dst, long dstOff) {
        byte[] block = new byte[Q8_0Matrix.BLOCK_BYTES];
        long o = dstOff;
        for (int b = off; b < off + n; b += QK, o += Q8_0Matrix.BLOCK_BYTES) {
            float amax = 0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[b + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            short h = Float.floatToFloat16(d);
            block[0] = (byte) h;
            block[1] = (byte) (h >> 8);
            for (int j = 0; j < QK; j++) {
                block[2 + j] = (byte) roundf(x[b + j] * id);
            }
            MemorySegment.copy(block, 0, dst, BYTE, o, Q8_0Matrix.BLOCK_BYTES);
        }
    }

    /** {@code x[off .. off + n)} ({@code n % 32 == 0}) as Q4_0 blocks written at {@code dst[dstOff ..)}. */
    static void quantizeQ4_0(float[] x, int off, int n, MemorySegment dst, long dstOff) {
        long o = dstOff;
        for (int b = off; b < off + n; b += QK, o += Q4_0Matrix.BLOCK_BYTES) {
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < QK; j++) {
                float v = x[b + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            dst.set(NativeLayouts.SHORT_LE, o, Float.floatToFloat16(d));
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) (x[b + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (x[b + QK / 2 + j] * id + 8.5f));
                dst.set(BYTE, o + 2 + j, (byte) (q0 | q1 << 4));
            }
        }
    }

    /**
     * C's {@code roundf} for |v| < 2^31: half away from zero. {@code a - i} is exact (the fraction of a float),
     * so no rounding of an intermediate {@code a + 0.5} can move a value just below .5 up.
     */
    static int roundf(float v) {
        float a = Math.abs(v);
        int i = (int) a;
        if (a - i >= 0.5f) {
            i++;
        }
        return v < 0 ? -i : i;
    }
}
