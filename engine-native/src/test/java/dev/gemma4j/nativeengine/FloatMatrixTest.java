package dev.gemma4j.nativeengine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The float-weight kernels against a scalar double-precision product, on shapes that exercise every path:
 * 4-row and single-row blocks, 4-token tiles and leftover tokens, and columns past the last vector block.
 */
class FloatMatrixTest {

    @ParameterizedTest(name = "{0}: {1} x {2}, {3} tokens")
    @CsvSource({"BF16, 7, 45, 1", "BF16, 9, 96, 9", "BF16, 8, 1152, 4", "BF16, 5, 31, 6",
            "F32, 7, 45, 1", "F32, 9, 96, 9", "F32, 6, 33, 5",
            "F16, 7, 45, 3", "F16, 4, 64, 4"})
    void matchesScalarProduct(String type, int rows, int cols, int n) {
        Random random = new Random(rows * 31L + cols * 7L + n);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (Arena arena = Arena.ofConfined()) {
            Matrix m = encode(type, w, rows, cols, arena);
            float[] exact = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                m.row(r, 1f, exact, r * cols);
            }
            int stride = rows + 3;
            float[] out = new float[n * stride];
            float[] in = m.prepareInput(x, n, new float[x.length]);
            m.multiply(in, n, out, stride, 0, rows);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double expected = 0;
                    double scale = 0;
                    for (int c = 0; c < cols; c++) {
                        expected += (double) exact[r * cols + c] * x[t * cols + c];
                        scale += Math.abs((double) exact[r * cols + c] * x[t * cols + c]);
                    }
                    assertEquals(expected, out[t * stride + r], 1e-5 * scale + 1e-6, type + " row " + r + " token " + t);
                }
            }
        }
    }

    private static Matrix encode(String type, float[] w, int rows, int cols, Arena arena) {
        return switch (type) {
            case "F32" -> {
                MemorySegment s = arena.allocate(w.length * 4L);
                for (int i = 0; i < w.length; i++) {
                    s.set(NativeLayouts.FLOAT_LE, i * 4L, w[i]);
                }
                yield new F32Matrix(s, rows, cols);
            }
            case "BF16" -> {
                MemorySegment s = arena.allocate(w.length * 2L);
                for (int i = 0; i < w.length; i++) {
                    s.set(NativeLayouts.SHORT_LE, i * 2L, (short) (Float.floatToIntBits(w[i]) >>> 16));
                }
                yield new Bf16Matrix(s, rows, cols);
            }
            case "F16" -> {
                MemorySegment s = arena.allocate(w.length * 2L);
                for (int i = 0; i < w.length; i++) {
                    s.set(NativeLayouts.SHORT_LE, i * 2L, Float.floatToFloat16(w[i]));
                }
                yield new F16Matrix(s, rows, cols);
            }
            default -> throw new IllegalArgumentException(type);
        };
    }
}
