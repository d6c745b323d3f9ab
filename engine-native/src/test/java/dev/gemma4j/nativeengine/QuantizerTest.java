package dev.gemma4j.nativeengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.weights.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Load-time Q8_0 / Q4_0 quantization against bytes produced by the Python reference
 * ({@code /work/perf/refgemma/py/gguf_io.py} quantize_q8_0 / quantize_q4_0, bit-identical to ggml's
 * reference quantizers): random values, ties at .5 steps, zero blocks, a largest |x| that is negative and
 * appears with both signs, tiny values and a negative zero.
 */
class QuantizerTest {
    private static final Map<String, int[]> INPUT = new LinkedHashMap<>();
    private static final Map<String, byte[]> Q8 = new LinkedHashMap<>();
    private static final Map<String, byte[]> Q4 = new LinkedHashMap<>();

    static {
        // random
        INPUT.put("random", new int[] {0xbda43b9f, 0x3b520ae8, 0x3d17bc0b, 0x3bfa0d21, 0x3d30e50e, 0x3e152693, 0xbd976e78, 0x3d41a203, 0xbdaa9cbe, 0x3c8ccc3b, 0xbcd1e59e, 0x3d878d8c, 0xbd302f75, 0x3cd4c8cf, 0xbd818cfc, 0xbddd1889, 0x3cb21129, 0x3db17d24, 0x3cd50c05, 0xbd4d3e5a, 0x3c5bd424, 0x3d1d1e0d, 0x3d73f8f6, 0xbd6d09a9, 0x3d0e9918, 0x3c8fed40, 0xbad46f7c, 0x3a2cc60a, 0xbd0b1c43, 0xbcfe2b80, 0x3d8850fb, 0x3c540a5f, 0xbcc5373f, 0xbdff28c5, 0xbd338530, 0xbccf0e79, 0xbd836476, 0xbd8839c3, 0x3d2929cd, 0xbc4a84bf, 0xbdae0cc7, 0xbd88b83b, 0xbc7576d4, 0x3d644ffd, 0xbd9a419b, 0x3da2d3d6, 0xbcc79bc0, 0xbdaf3784, 0x3cd22969, 0x3d932881, 0xbc35b3b1, 0x3d04e0ac, 0xbc82354f, 0xba0fe4e9, 0x3daa89e5, 0x3d377502, 0xbd764af0, 0x3e0f5746, 0xbd512418, 0x3d2db13b, 0x3ccc03bf, 0xbb8a5964, 0x3c25e1ee, 0xbc063090});
        Q8.put("random", new byte[] {-77, 20, -70, 3, 32, 7, 38, 127, -64, 41, -73, 15, -22, 58, -38, 23, -55, -94, 19, 76, 23, -44, 12, 33, 52, -50, 30, 15, -1, 1, -30, -27, 58, 11, -124, 20, -22, -113, -40, -23, -58, -60, 37, -11, -77, -61, -14, 51, -68, 72, -22, -78, 23, 65, -10, 29, -14, 0, 76, 41, -55, 127, -46, 38, 23, -4, 9, -7});
        Q4.put("random", new byte[] {-87, -92, 124, 56, 118, -72, 118, 96, 92, -75, 109, 119, -119, -124, -86, -89, 75, 126, 123, -92, 121, 79, -101, 105, -100, -116, 54, 89, -67, 12, -71, 101, 124, -125, 121, -115});
        // ties
        INPUT.put("ties", new int[] {0x42fe0000, 0x3f000000, 0xbf000000, 0x3fc00000, 0xbfc00000, 0x40200000, 0xc0200000, 0x42fd0000, 0xc2fd0000, 0xc2fe0000, 0xc0300000, 0xc0200000, 0xc0100000, 0xc0000000, 0xbfe00000, 0xbfc00000, 0xbfa00000, 0xbf800000, 0xbf400000, 0xbf000000, 0xbe800000, 0x00000000, 0x3e800000, 0x3f000000, 0x3f400000, 0x3f800000, 0x3fa00000, 0x3fc00000, 0x3fe00000, 0x40000000, 0x40100000, 0x40200000});
        Q8.put("ties", new byte[] {0, 60, 127, 1, -1, 2, -2, 3, -3, 127, -127, -127, -3, -3, -2, -2, -2, -2, -1, -1, -1, -1, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3});
        Q4.put("ties", new byte[] {-16, -53, -128, -120, -120, -120, -120, -120, -120, -128, -113, -113, -120, -120, -120, -120, -120, -120});
        // zeros
        INPUT.put("zeros", new int[] {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000});
        Q8.put("zeros", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        Q4.put("zeros", new byte[] {0, -128, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120, -120});
        // negmax
        INPUT.put("negmax", new int[] {0x4020b729, 0xc008c9d6, 0xc0616fd0, 0x3fb680be, 0x40a6ca37, 0xbed1e279, 0x40a384b6, 0xc11c0000, 0x40957ec8, 0x4038f986, 0x3fc8ba12, 0x4033eed1, 0xc020afc4, 0x3e96a1f1, 0xc096c5ec, 0xc0aade47, 0x40306aa4, 0xbee4f7d6, 0x4041150b, 0x3ec93e54, 0x411c0000, 0x410aed40, 0x40843314, 0x3f03ad96, 0x3d88a801, 0x409ea868, 0xbf77333d, 0x40925bb3, 0x3ffb5e53, 0xc07dca64, 0x400eb3ff, 0x40568980});
        Q8.put("negmax", new byte[] {-22, 44, 33, -28, -46, 19, 68, -5, 67, -127, 61, 38, 20, 37, -33, 4, -61, -70, 36, -6, 39, 5, 127, 113, 54, 7, 1, 65, -13, 60, 26, -52, 29, 44});
        Q4.put("negmax", new byte[] {-32, 60, -86, -122, -91, -119, -4, -8, -68, -128, -116, -54, 121, -54, -90, 88, -92, -76});
        // posmax
        INPUT.put("posmax", new int[] {0x3fd1d726, 0x40391923, 0x4083fa8f, 0x411c0000, 0x40d86079, 0x3ef83d4a, 0x402015e5, 0xc097b0c5, 0x4042084a, 0x400a9940, 0xbfe01d5d, 0x40031b37, 0xc11c0000, 0x404047a7, 0x40096ecf, 0xbfd4e042, 0x3e2897c2, 0xc0a311f2, 0x3d83de59, 0xbfc608fc, 0x404d3796, 0x4080e31a, 0x3ff6434b, 0xc0b1c82b, 0x3fc80c9d, 0xc05424d7, 0x3fa8239d, 0x3ef318b4, 0xc051634b, 0xc07d62ae, 0x40210566, 0x40cb7f51});
        Q8.put("posmax", new byte[] {-22, 44, 21, 38, 54, 127, 88, 6, 33, -62, 39, 28, -23, 27, -127, 39, 28, -22, 2, -66, 1, -20, 42, 52, 25, -72, 20, -43, 17, 6, -43, -52, 33, 83});
        Q4.put("posmax", new byte[] {-32, -68, -121, -58, -123, -112, 82, 88, 102, -36, 118, -74, 121, -122, -65, -74, 102, 57});
        // steps
        INPUT.put("steps", new int[] {0xc0400000, 0xc0280000, 0xc0100000, 0xbff00000, 0xbfc00000, 0xbf900000, 0xbf400000, 0xbec00000, 0x00000000, 0x3ec00000, 0x3f400000, 0x3f900000, 0x3fc00000, 0x3ff00000, 0x40100000, 0x40280000, 0x404c0000, 0x40340000, 0x401c0000, 0x40040000, 0x3fd80000, 0x3fa80000, 0x3f700000, 0x3f100000, 0x3e400000, 0xbe400000, 0xbf100000, 0xbf700000, 0xbfa80000, 0xbfd80000, 0xc0040000, 0xc01c0000});
        Q8.put("steps", new byte[] {109, 38, -120, -105, -90, -75, -60, -45, -30, -15, 0, 15, 30, 45, 60, 75, 90, 105, 127, 112, 97, 82, 67, 52, 37, 22, 7, -7, -22, -37, -52, -67, -82, -97});
        Q4.put("steps", new byte[] {96, -74, 15, 31, 46, 61, 76, 91, 106, 121, -120, -121, -106, -91, -76, -61, -46, -31});
        // tiny
        INPUT.put("tiny", new int[] {0xb84fec00, 0x39aac26d, 0xba0fbd5c, 0xb98db99c, 0xbadb4209, 0x80000000, 0x0da24260, 0xb9a196dd, 0x38e0949e, 0xb9bb290f, 0x3aaf4ff4, 0xb89fd73b, 0x398a155a, 0x3a7be777, 0x39476b74, 0x39d3d9e9, 0xbaef4120, 0xb9827f32, 0x3afaefe0, 0x39ccca93, 0x3a8635c3, 0x39ce18f9, 0x3af6ab04, 0xba4426cf, 0xba538edf, 0x3a2c53ba, 0x3a4e1d19, 0x39a65881, 0x399b3c37, 0xba2e7f06, 0x3a87b5af, 0x3818aeef});
        Q8.put("tiny", new byte[] {-3, 0, -3, 22, -36, -18, -111, 0, 0, -20, 7, -24, 89, -5, 17, 64, 13, 27, -121, -17, 127, 26, 68, 26, 125, -50, -54, 44, 52, 21, 20, -44, 69, 2});
        Q4.put("tiny", new byte[] {-41, -117, -8, -105, 10, 105, 79, 104, 8, -71, -72, 89, 82, 120, 119, -76, 71, -122});
    }

    private static float[] floats(int[] bits) {
        float[] f = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            f[i] = Float.intBitsToFloat(bits[i]);
        }
        return f;
    }

    /** An F32 matrix over little-endian bytes of {@code values}. */
    private static Matrix f32(float[] values, int rows, int cols) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(values);
        return new F32Matrix(MemorySegment.ofArray(bb.array()), rows, cols);
    }

    private static byte[] quantize(float[] x, DType type) {
        byte[] out = new byte[(int) type.byteSize(x.length)];
        MemorySegment seg = MemorySegment.ofArray(out);
        if (type == DType.Q8_0) {
            Quantizer.quantizeQ8_0(x, 0, x.length, seg, 0);
        } else {
            Quantizer.quantizeQ4_0(x, 0, x.length, seg, 0);
        }
        return out;
    }

    @Test
    void q8_0MatchesTheReference() {
        for (String name : INPUT.keySet()) {
            assertArrayEquals(Q8.get(name), quantize(floats(INPUT.get(name)), DType.Q8_0), name);
        }
    }

    @Test
    void q4_0MatchesTheReference() {
        for (String name : INPUT.keySet()) {
            assertArrayEquals(Q4.get(name), quantize(floats(INPUT.get(name)), DType.Q4_0), name);
        }
    }

    @Test
    void roundfIsHalfAwayFromZero() {
        assertEquals(3, Quantizer.roundf(2.5f));
        assertEquals(-3, Quantizer.roundf(-2.5f));
        assertEquals(0, Quantizer.roundf(0.49999997f));
        assertEquals(1, Quantizer.roundf(0.5f));
        assertEquals(-1, Quantizer.roundf(-0.5f));
        assertEquals(127, Quantizer.roundf(126.5f));
        assertEquals(0, Quantizer.roundf(-0f));
    }

    /** A whole matrix, split over two workers, equals the row-by-row reference quantization. */
    @Test
    void matrixQuantizationIsTheRowQuantization() {
        int rows = 1000; // several ranges of rows for each of the two workers
        int cols = 32 * 9;
        Random rnd = new Random(5);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian() * 0.02f;
        }
        Matrix src = f32(w, rows, cols);
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(2)) {
            for (DType type : new DType[] {DType.Q8_0, DType.Q4_0}) {
                Matrix q = Quantizer.quantize(src, type, arena, parallel);
                assertEquals(type == DType.Q8_0 ? Q8_0Matrix.class : Q4_0Matrix.class, q.getClass());
                assertEquals(rows, q.rows());
                assertEquals(cols, q.cols());
                assertEquals(type.byteSize((long) rows * cols), q.bytes());
                byte[] expected = quantize(w, type);
                float[] ref = QuantizedMatrixTest.dequantize(type, expected, rows, cols);
                float[] row = new float[cols];
                for (int r = 0; r < rows; r++) {
                    q.row(r, 1f, row, 0);
                    for (int c = 0; c < cols; c++) {
                        assertEquals(ref[r * cols + c], row[c], type + " row " + r + " col " + c);
                        // Quantization error is at most half a step (a full step for Q4_0's clamp at 15).
                        assertTrue(Math.abs(row[c] - w[r * cols + c]) <= 0.02f * 5 / (type == DType.Q8_0 ? 127 : 4));
                    }
                }
            }
        }
    }

    @Test
    void rowsOfPartialBlocksAndOtherTargetsAreRejected() {
        Matrix src = f32(new float[48], 1, 48);
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(src, DType.Q8_0, arena, null));
            assertThrows(IllegalArgumentException.class,
                    () -> Quantizer.quantize(f32(new float[256], 1, 256), DType.Q4_K, arena, null));
        }
    }
}
