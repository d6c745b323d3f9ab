package dev.gemma4j.nativeengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.weights.DType;
import dev.gemma4j.weights.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The GGUF block formats against scalar dequantizers written here from ggml's layouts: {@code row} exactly,
 * {@code multiply} for 1, 3, 4 and 9 tokens against a double-precision dot of the dequantized rows.
 */
class QuantizedMatrixTest {
    enum Format {
        Q8_0(DType.Q8_0), Q4_0(DType.Q4_0), Q4_K(DType.Q4_K), Q6_K(DType.Q6_K);

        final DType dtype;

        Format(DType dtype) {
            this.dtype = dtype;
        }
    }

    private static short f16(Random rnd, float lo, float hi) {
        return Float.floatToFloat16(lo + rnd.nextFloat() * (hi - lo));
    }

    private static void putF16(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
    }

    private static float getF16(byte[] b, int off) {
        return Float.float16ToFloat((short) ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8));
    }

    /** Random blocks: random quant bytes, plausible f16 scales (some negative). */
    static byte[] randomBlocks(DType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        int nb = rows * (cols / type.blockSize());
        byte[] b = new byte[nb * type.blockBytes()];
        rnd.nextBytes(b);
        for (int i = 0; i < nb; i++) {
            int o = i * type.blockBytes();
            switch (type) {
                case Q8_0, Q4_0 -> putF16(b, o, f16(rnd, -0.05f, 0.05f));
                case Q4_K -> {
                    putF16(b, o, f16(rnd, 0f, 0.01f));
                    putF16(b, o + 2, f16(rnd, 0f, 0.01f));
                }
                case Q6_K -> putF16(b, o + 208, f16(rnd, -0.01f, 0.01f));
                default -> throw new AssertionError(type);
            }
        }
        return b;
    }

    /** The straightforward dequantizer, from ggml's block layouts. */
    static float[] dequantize(DType type, byte[] b, int rows, int cols) {
        float[] w = new float[rows * cols];
        int nb = rows * cols / type.blockSize();
        for (int i = 0; i < nb; i++) {
            int o = i * type.blockBytes();
            int y = i * type.blockSize();
            switch (type) {
                case Q8_0 -> {
                    float d = getF16(b, o);
                    for (int j = 0; j < 32; j++) {
                        w[y + j] = d * b[o + 2 + j];
                    }
                }
                case Q4_0 -> {
                    float d = getF16(b, o);
                    for (int j = 0; j < 32; j++) {
                        int byt = b[o + 2 + (j % 16)] & 0xFF;
                        int q = j < 16 ? byt & 0xF : byt >> 4;
                        w[y + j] = d * (q - 8);
                    }
                }
                case Q4_K -> {
                    float d = getF16(b, o);
                    float dmin = getF16(b, o + 2);
                    int[] sc = new int[8];
                    int[] mn = new int[8];
                    int s = o + 4;
                    for (int j = 0; j < 8; j++) {
                        if (j < 4) {
                            sc[j] = b[s + j] & 0x3F;
                            mn[j] = b[s + 4 + j] & 0x3F;
                        } else {
                            sc[j] = (b[s + 4 + j] & 0x0F) | (((b[s + j - 4] & 0xFF) >> 6) << 4);
                            mn[j] = ((b[s + 4 + j] & 0xFF) >> 4) | (((b[s + j] & 0xFF) >> 6) << 4);
                        }
                    }
                    for (int k = 0; k < 256; k++) {
                        int group = k / 64;     // 64-value group: 32 low nibbles, then 32 high nibbles
                        int within = k % 64;
                        int byt = b[o + 16 + group * 32 + within % 32] & 0xFF;
                        int q = within < 32 ? byt & 0xF : byt >> 4;
                        int sub = k / 32;
                        w[y + k] = d * sc[sub] * q - dmin * mn[sub];
                    }
                }
                case Q6_K -> {
                    float d = getF16(b, o + 208);
                    for (int k = 0; k < 256; k++) {
                        int half = k / 128;     // 128 values per half: ql 64 bytes, qh 32 bytes, 8 scales
                        int i128 = k % 128;
                        int quarter = i128 / 32;
                        int l = i128 % 32;
                        int ql = b[o + 64 * half + l + (quarter % 2) * 32] & 0xFF;
                        int lo = quarter < 2 ? ql & 0xF : ql >> 4;
                        int hi = ((b[o + 128 + 32 * half + l] & 0xFF) >> (2 * quarter)) & 3;
                        int q = (lo | hi << 4) - 32;
                        int scale = b[o + 192 + 8 * half + l / 16 + 2 * quarter];
                        w[y + k] = d * scale * q;
                    }
                }
                default -> throw new AssertionError(type);
            }
        }
        return w;
    }

    private static Matrix matrix(DType type, byte[] b, int rows, int cols) {
        Tensor t = new Tensor("w", type, new long[] {rows, cols}, MemorySegment.ofArray(b), Path.of("test.gguf"));
        return Matrix.of(t, rows, cols);
    }

    private static int[] shape(Format f) {
        // An odd number of blocks per row exercises the one-token tail.
        return f.dtype.blockSize() == 32 ? new int[] {13, 32 * 37} : new int[] {7, 256 * 3};
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void viewPicksTheBlockClass(Format f) {
        int[] s = shape(f);
        Matrix m = matrix(f.dtype, randomBlocks(f.dtype, s[0], s[1], 1), s[0], s[1]);
        Class<?> expected = switch (f) {
            case Q8_0 -> Q8_0Matrix.class;
            case Q4_0 -> Q4_0Matrix.class;
            case Q4_K -> KQuantMatrix.class;
            case Q6_K -> KQuantMatrix.class;
        };
        assertInstanceOf(expected, m);
        assertEquals(s[0], m.rows());
        assertEquals(s[1], m.cols());
        assertEquals(f.dtype.byteSize((long) s[0] * s[1]), m.bytes());
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void rowDequantizesExactly(Format f) {
        int[] s = shape(f);
        int rows = s[0];
        int cols = s[1];
        byte[] b = randomBlocks(f.dtype, rows, cols, 42 + f.ordinal());
        float[] ref = dequantize(f.dtype, b, rows, cols);
        Matrix m = matrix(f.dtype, b, rows, cols);
        float[] dst = new float[cols + 5];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(dst, -7f);
            m.row(r, 1f, dst, 3);
            assertEquals(-7f, dst[2]);
            assertEquals(-7f, dst[cols + 3]);
            for (int c = 0; c < cols; c++) {
                assertEquals(ref[r * cols + c], dst[3 + c], "row " + r + " col " + c);
            }
            m.row(r, 2.5f, dst, 0);
            for (int c = 0; c < cols; c++) {
                assertEquals(ref[r * cols + c] * 2.5f, dst[c], Math.abs(ref[r * cols + c]) * 1e-6f,
                        "scaled row " + r + " col " + c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void multiplyMatchesTheDequantizedDot(Format f) {
        int[] s = shape(f);
        int rows = s[0];
        int cols = s[1];
        byte[] b = randomBlocks(f.dtype, rows, cols, 7 + f.ordinal());
        float[] w = dequantize(f.dtype, b, rows, cols);
        Matrix m = matrix(f.dtype, b, rows, cols);
        Random rnd = new Random(99);
        for (int n : new int[] {1, 3, 4, 9}) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] scratch = new float[n * cols];
            float[] in = m.prepareInput(x.clone(), n, scratch);
            int outStride = rows + 3;
            float[] out = new float[n * outStride];
            Arrays.fill(out, Float.NaN);
            // Two ranges, as the workers would split it.
            m.multiply(in, n, out, outStride, 0, rows / 2);
            m.multiply(in, n, out, outStride, rows / 2, rows);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double dot = 0;
                    double abs = 0;
                    for (int c = 0; c < cols; c++) {
                        double p = (double) w[r * cols + c] * x[t * cols + c];
                        dot += p;
                        abs += Math.abs(p);
                    }
                    float got = out[t * outStride + r];
                    assertTrue(Math.abs(got - dot) <= 1e-4 * abs,
                            f + " n=" + n + " t=" + t + " r=" + r + ": " + got + " vs " + dot + " (sum|wx| " + abs + ")");
                }
                for (int r = rows; r < outStride; r++) {
                    assertTrue(Float.isNaN(out[t * outStride + r]), "wrote outside the rows");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void partialBlocksAreRejected(Format f) {
        int cols = f.dtype.blockSize() + 16;
        MemorySegment seg = MemorySegment.ofArray(new byte[4096]);
        assertThrows(IllegalArgumentException.class, () -> {
            Matrix m = switch (f) {
                case Q8_0 -> new Q8_0Matrix(seg, 1, cols);
                case Q4_0 -> new Q4_0Matrix(seg, 1, cols);
                case Q4_K -> new KQuantMatrix(seg, 1, cols, DType.Q4_K);
                case Q6_K -> new KQuantMatrix(seg, 1, cols, DType.Q6_K);
            };
        });
    }
}
