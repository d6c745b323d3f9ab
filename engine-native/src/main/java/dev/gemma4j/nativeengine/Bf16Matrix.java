package dev.gemma4j.nativeengine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * BF16 weights: the upper 16 bits of an F32. One int lane holds two neighbouring weights, so a vector of
 * ints widens exactly into two float vectors with one shift (the even elements) and one mask (the odd
 * ones), with no cross-width conversion. The input is reordered to match once per matrix product (see
 * {@link #prepareInput}): per block of {@code 2L} elements, first the even ones, then the odd ones.
 */
final class Bf16Matrix extends Matrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Weights per int vector. */
    private static final int BLOCK = 2 * L;
    private static final int HIGH_HALF = 0xFFFF0000;

    private final int upper;

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
        this.upper = cols - cols % BLOCK;
    }

    private float get(long index) {
        return Float.intBitsToFloat(data.get(NativeLayouts.SHORT_LE, index * 2) << 16);
    }

    @Override
    public float[] prepareInput(float[] x, int n, float[] scratch) {
        for (int t = 0; t < n; t++) {
            int off = t * cols;
            for (int c = 0; c < upper; c += BLOCK) {
                for (int i = 0; i < L; i++) {
                    scratch[off + c + i] = x[off + c + 2 * i];
                    scratch[off + c + L + i] = x[off + c + 2 * i + 1];
                }
            }
            System.arraycopy(x, off + upper, scratch, off + upper, cols - upper);
        }
        return scratch;
    }

    @Override
    public void multiply(float[] x, int n, float[] out, int outStride, int from, int to) {
        int r = from;
        // Four rows at a time: four independent streams through memory, and for prefill a 4 x 4 tile of
        // rows x tokens, so each decoded weight vector and each input vector serves four products.
        for (; r + 4 <= to; r += 4) {
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                tile4x4(r, x, t, out, outStride);
            }
            for (; t < n; t++) {
                rows4(r, x, t, out, outStride);
            }
        }
        for (; r < to; r++) {
            for (int t = 0; t < n; t++) {
                out[t * outStride + r] = dot((long) r * cols, x, t * cols);
            }
        }
    }

    /** Rows r..r+3 times tokens t..t+3. */
    private void tile4x4(int r, float[] x, int t, float[] out, int outStride) {
        long b0 = (long) r * cols * 2;
        long b1 = b0 + cols * 2L;
        long b2 = b1 + cols * 2L;
        long b3 = b2 + cols * 2L;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < upper; c += BLOCK) {
            IntVector p0 = IntVector.fromMemorySegment(I, data, b0 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            IntVector p1 = IntVector.fromMemorySegment(I, data, b1 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            IntVector p2 = IntVector.fromMemorySegment(I, data, b2 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            IntVector p3 = IntVector.fromMemorySegment(I, data, b3 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            FloatVector w0 = even(p0);
            FloatVector w1 = even(p1);
            FloatVector w2 = even(p2);
            FloatVector w3 = even(p3);
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + c);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a02 = w0.fma(v2, a02);
            a03 = w0.fma(v3, a03);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a12 = w1.fma(v2, a12);
            a13 = w1.fma(v3, a13);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a22 = w2.fma(v2, a22);
            a23 = w2.fma(v3, a23);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            a32 = w3.fma(v2, a32);
            a33 = w3.fma(v3, a33);
            w0 = odd(p0);
            w1 = odd(p1);
            w2 = odd(p2);
            w3 = odd(p3);
            v0 = FloatVector.fromArray(F, x, x0 + c + L);
            v1 = FloatVector.fromArray(F, x, x1 + c + L);
            v2 = FloatVector.fromArray(F, x, x2 + c + L);
            v3 = FloatVector.fromArray(F, x, x3 + c + L);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a02 = w0.fma(v2, a02);
            a03 = w0.fma(v3, a03);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a12 = w1.fma(v2, a12);
            a13 = w1.fma(v3, a13);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a22 = w2.fma(v2, a22);
            a23 = w2.fma(v3, a23);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            a32 = w3.fma(v2, a32);
            a33 = w3.fma(v3, a33);
        }
        finish(a00, r, t, x, out, outStride);
        finish(a01, r, t + 1, x, out, outStride);
        finish(a02, r, t + 2, x, out, outStride);
        finish(a03, r, t + 3, x, out, outStride);
        finish(a10, r + 1, t, x, out, outStride);
        finish(a11, r + 1, t + 1, x, out, outStride);
        finish(a12, r + 1, t + 2, x, out, outStride);
        finish(a13, r + 1, t + 3, x, out, outStride);
        finish(a20, r + 2, t, x, out, outStride);
        finish(a21, r + 2, t + 1, x, out, outStride);
        finish(a22, r + 2, t + 2, x, out, outStride);
        finish(a23, r + 2, t + 3, x, out, outStride);
        finish(a30, r + 3, t, x, out, outStride);
        finish(a31, r + 3, t + 1, x, out, outStride);
        finish(a32, r + 3, t + 2, x, out, outStride);
        finish(a33, r + 3, t + 3, x, out, outStride);
    }

    /** out[t][row] = the lanes of {@code acc} summed, plus the columns past the last whole block. */
    private void finish(FloatVector acc, int row, int t, float[] x, float[] out, int outStride) {
        float s = acc.reduceLanes(VectorOperators.ADD);
        long base = (long) row * cols;
        int xOff = t * cols;
        for (int c = upper; c < cols; c++) {
            s += get(base + c) * x[xOff + c];
        }
        out[t * outStride + row] = s;
    }

    /** Rows r..r+3 times one token. */
    private void rows4(int r, float[] x, int t, float[] out, int outStride) {
        int xOff = t * cols;
        long b0 = (long) r * cols * 2;
        long b1 = b0 + cols * 2L;
        long b2 = b1 + cols * 2L;
        long b3 = b2 + cols * 2L;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < upper; c += BLOCK) {
            FloatVector xe = FloatVector.fromArray(F, x, xOff + c);
            FloatVector xo = FloatVector.fromArray(F, x, xOff + c + L);
            IntVector p0 = IntVector.fromMemorySegment(I, data, b0 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            IntVector p1 = IntVector.fromMemorySegment(I, data, b1 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            IntVector p2 = IntVector.fromMemorySegment(I, data, b2 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            IntVector p3 = IntVector.fromMemorySegment(I, data, b3 + c * 2L, ByteOrder.LITTLE_ENDIAN);
            a0 = even(p0).fma(xe, a0);
            a1 = even(p1).fma(xe, a1);
            a2 = even(p2).fma(xe, a2);
            a3 = even(p3).fma(xe, a3);
            a0 = odd(p0).fma(xo, a0);
            a1 = odd(p1).fma(xo, a1);
            a2 = odd(p2).fma(xo, a2);
            a3 = odd(p3).fma(xo, a3);
        }
        finish(a0, r, t, x, out, outStride);
        finish(a1, r + 1, t, x, out, outStride);
        finish(a2, r + 2, t, x, out, outStride);
        finish(a3, r + 3, t, x, out, outStride);
    }

    /** The even-indexed weights of a pair vector: the low 16 bits moved up. */
    private static FloatVector even(IntVector pair) {
        return pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The odd-indexed weights: the high 16 bits in place. */
    private static FloatVector odd(IntVector pair) {
        return pair.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats();
    }

    private float dot(long base, float[] x, int xOff) {
        long byteBase = base * 2;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int c = 0; c < upper; c += BLOCK) {
            IntVector pair = IntVector.fromMemorySegment(I, data, byteBase + c * 2L, ByteOrder.LITTLE_ENDIAN);
            a0 = even(pair).fma(FloatVector.fromArray(F, x, xOff + c), a0);
            a1 = odd(pair).fma(FloatVector.fromArray(F, x, xOff + c + L), a1);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (int c = upper; c < cols; c++) {
            s += get(base + c) * x[xOff + c];
        }
        return s;
    }

    @Override
    public void row(int r, float scale, float[] dst, int off) {
        long base = (long) r * cols;
        for (int c = 0; c < cols; c++) {
            dst[off + c] = get(base + c) * scale;
        }
    }


    @Override
    public long bytes() {
        return (long) rows * cols * 2;
    }
}
