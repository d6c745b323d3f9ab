package dev.gemma4j.nativeengine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared pieces of the GGUF block-quantized matrices: the vector species (floats and bytes with the same
 * lane count, so that one byte vector widens into exactly one float vector) and the scalar dequantizers of
 * the k-quant super-blocks.
 */
final class QuantizedBlocks {
    /** Float lanes: the preferred width, capped at 16 so that a 32-weight block is a whole number of vectors. */
    static final VectorSpecies<Float> F = speciesFor(Integer.getInteger("gemma4j.quant.bits", 0));
    static final int L = F.length();
    /** Bytes with as many lanes as {@link #F}. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private QuantizedBlocks() {
    }

    private static VectorSpecies<Float> speciesFor(int bits) {
        VectorSpecies<Float> s = bits > 0 ? VectorSpecies.of(float.class, VectorShape.forBitSize(bits))
                : FloatVector.SPECIES_PREFERRED;
        if (s.length() > 16) {
            s = FloatVector.SPECIES_512;
        }
        if (s.length() < 8) {
            // A byte vector of fewer than 8 lanes does not exist; 256-bit floats still work (more slowly).
            s = FloatVector.SPECIES_256;
        }
        return s;
    }

    /**
     * {@code out[t * outStride + r] = w . x[t * cols ..]} for tokens {@code [0, n)}, where {@code w} is one
     * dequantized row of {@code cols} floats (hot in L1): four tokens per pass over {@code w}.
     */
    static void multiplyDecoded(float[] w, int cols, float[] x, int n, float[] out, int outStride, int r) {
        int upper = F.loopBound(cols);
        int t = 0;
        int upper2 = cols - cols % (2 * L);
        for (; t + 4 <= n; t += 4) {
            int x0 = t * cols;
            int x1 = x0 + cols;
            int x2 = x1 + cols;
            int x3 = x2 + cols;
            // Two accumulators per token: eight independent FMA chains keep both FMA units busy.
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector b2 = FloatVector.zero(F);
            FloatVector b3 = FloatVector.zero(F);
            int c = 0;
            for (; c < upper2; c += 2 * L) {
                FloatVector v = FloatVector.fromArray(F, w, c);
                FloatVector u = FloatVector.fromArray(F, w, c + L);
                a0 = v.fma(FloatVector.fromArray(F, x, x0 + c), a0);
                a1 = v.fma(FloatVector.fromArray(F, x, x1 + c), a1);
                a2 = v.fma(FloatVector.fromArray(F, x, x2 + c), a2);
                a3 = v.fma(FloatVector.fromArray(F, x, x3 + c), a3);
                b0 = u.fma(FloatVector.fromArray(F, x, x0 + c + L), b0);
                b1 = u.fma(FloatVector.fromArray(F, x, x1 + c + L), b1);
                b2 = u.fma(FloatVector.fromArray(F, x, x2 + c + L), b2);
                b3 = u.fma(FloatVector.fromArray(F, x, x3 + c + L), b3);
            }
            for (; c < upper; c += L) {
                FloatVector v = FloatVector.fromArray(F, w, c);
                a0 = v.fma(FloatVector.fromArray(F, x, x0 + c), a0);
                a1 = v.fma(FloatVector.fromArray(F, x, x1 + c), a1);
                a2 = v.fma(FloatVector.fromArray(F, x, x2 + c), a2);
                a3 = v.fma(FloatVector.fromArray(F, x, x3 + c), a3);
            }
            a0 = a0.add(b0);
            a1 = a1.add(b1);
            a2 = a2.add(b2);
            a3 = a3.add(b3);
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s0 += w[c] * x[x0 + c];
                s1 += w[c] * x[x1 + c];
                s2 += w[c] * x[x2 + c];
                s3 += w[c] * x[x3 + c];
            }
            out[t * outStride + r] = s0;
            out[(t + 1) * outStride + r] = s1;
            out[(t + 2) * outStride + r] = s2;
            out[(t + 3) * outStride + r] = s3;
        }
        for (; t < n; t++) {
            int x0 = t * cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int c = 0;
            for (; c + 2 * L <= upper; c += 2 * L) {
                a0 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromArray(F, x, x0 + c), a0);
                a1 = FloatVector.fromArray(F, w, c + L).fma(FloatVector.fromArray(F, x, x0 + c + L), a1);
            }
            for (; c < upper; c += L) {
                a0 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromArray(F, x, x0 + c), a0);
            }
            float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s += w[c] * x[x0 + c];
            }
            out[t * outStride + r] = s;
        }
    }

    static float f16(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(NativeLayouts.SHORT_LE, offset));
    }

    static void requireWholeBlocks(int cols, int blockSize, String type) {
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException("a " + type + " row of " + cols
                    + " weights is not a whole number of blocks of " + blockSize);
        }
    }

    /** Q4_K: 6-bit scale j (0..7) of the 12 packed bytes at {@code sc}. */
    static int q4kScale(MemorySegment data, long sc, int j) {
        if (j < 4) {
            return data.get(BYTE, sc + j) & 63;
        }
        return (data.get(BYTE, sc + j + 4) & 0xF) | ((data.get(BYTE, sc + j - 4) & 0xFF) >>> 6 << 4);
    }

    /** Q4_K: 6-bit min j (0..7) of the 12 packed bytes at {@code sc}. */
    static int q4kMin(MemorySegment data, long sc, int j) {
        if (j < 4) {
            return data.get(BYTE, sc + j + 4) & 63;
        }
        return ((data.get(BYTE, sc + j + 4) & 0xFF) >>> 4) | ((data.get(BYTE, sc + j) & 0xFF) >>> 6 << 4);
    }

    /**
     * Q4_K super-block at {@code off} (144 bytes: f16 d, f16 dmin, 12 bytes of scales and mins, 128 bytes of
     * nibbles) into {@code dst[dOff .. dOff + 256)}, times {@code scale}.
     */
    static void dequantQ4K(MemorySegment data, long off, float scale, float[] dst, int dOff) {
        float d = f16(data, off);
        float dmin = f16(data, off + 2);
        long sc = off + 4;
        long q = off + 16;
        int y = dOff;
        for (int g = 0; g < 4; g++) {
            float d1 = d * q4kScale(data, sc, 2 * g);
            float m1 = dmin * q4kMin(data, sc, 2 * g);
            float d2 = d * q4kScale(data, sc, 2 * g + 1);
            float m2 = dmin * q4kMin(data, sc, 2 * g + 1);
            long qg = q + 32L * g;
            for (int l = 0; l < 32; l++) {
                dst[y + l] = (d1 * (data.get(BYTE, qg + l) & 0xF) - m1) * scale;
            }
            for (int l = 0; l < 32; l++) {
                dst[y + 32 + l] = (d2 * ((data.get(BYTE, qg + l) & 0xFF) >>> 4) - m2) * scale;
            }
            y += 64;
        }
    }

    /**
     * Q6_K super-block at {@code off} (210 bytes: 128 bytes low nibbles, 64 bytes high bit pairs, 16 int8
     * scales, f16 d) into {@code dst[dOff .. dOff + 256)}, times {@code scale}.
     */
    static void dequantQ6K(MemorySegment data, long off, float scale, float[] dst, int dOff) {
        float d = f16(data, off + 208);
        for (int half = 0; half < 2; half++) {
            long ql = off + 64L * half;
            long qh = off + 128 + 32L * half;
            long sc = off + 192 + 8L * half;
            int y = dOff + 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo0 = data.get(BYTE, ql + l) & 0xFF;
                int lo1 = data.get(BYTE, ql + l + 32) & 0xFF;
                int hi = data.get(BYTE, qh + l) & 0xFF;
                int q1 = ((lo0 & 0xF) | ((hi & 3) << 4)) - 32;
                int q2 = ((lo1 & 0xF) | (((hi >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo0 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo1 >>> 4) | (((hi >>> 6) & 3) << 4)) - 32;
                dst[y + l] = d * data.get(BYTE, sc + is) * q1 * scale;
                dst[y + l + 32] = d * data.get(BYTE, sc + is + 2) * q2 * scale;
                dst[y + l + 64] = d * data.get(BYTE, sc + is + 4) * q3 * scale;
                dst[y + l + 96] = d * data.get(BYTE, sc + is + 6) * q4 * scale;
            }
        }
    }
}
