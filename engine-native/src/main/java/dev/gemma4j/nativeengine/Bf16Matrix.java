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
final class Bf16Matrix implements Matrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Weights per int vector. */
    private static final int BLOCK = 2 * L;
    private static final int HIGH_HALF = 0xFFFF0000;

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final int upper;

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
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
        for (int r = from; r < to; r++) {
            long base = (long) r * cols;
            long byteBase = base * 2;
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                int x0 = t * cols;
                int x1 = x0 + cols;
                int x2 = x1 + cols;
                int x3 = x2 + cols;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                for (int c = 0; c < upper; c += BLOCK) {
                    IntVector pair = IntVector.fromMemorySegment(I, data, byteBase + c * 2L, ByteOrder.LITTLE_ENDIAN);
                    FloatVector even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector odd = pair.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats();
                    a0 = even.fma(FloatVector.fromArray(F, x, x0 + c), a0);
                    a1 = even.fma(FloatVector.fromArray(F, x, x1 + c), a1);
                    a2 = even.fma(FloatVector.fromArray(F, x, x2 + c), a2);
                    a3 = even.fma(FloatVector.fromArray(F, x, x3 + c), a3);
                    a0 = odd.fma(FloatVector.fromArray(F, x, x0 + c + L), a0);
                    a1 = odd.fma(FloatVector.fromArray(F, x, x1 + c + L), a1);
                    a2 = odd.fma(FloatVector.fromArray(F, x, x2 + c + L), a2);
                    a3 = odd.fma(FloatVector.fromArray(F, x, x3 + c + L), a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (int c = upper; c < cols; c++) {
                    float w = get(base + c);
                    s0 += w * x[x0 + c];
                    s1 += w * x[x1 + c];
                    s2 += w * x[x2 + c];
                    s3 += w * x[x3 + c];
                }
                out[t * outStride + r] = s0;
                out[(t + 1) * outStride + r] = s1;
                out[(t + 2) * outStride + r] = s2;
                out[(t + 3) * outStride + r] = s3;
            }
            for (; t < n; t++) {
                out[t * outStride + r] = dot(base, x, t * cols);
            }
        }
    }

    private float dot(long base, float[] x, int xOff) {
        long byteBase = base * 2;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int c = 0; c < upper; c += BLOCK) {
            IntVector pair = IntVector.fromMemorySegment(I, data, byteBase + c * 2L, ByteOrder.LITTLE_ENDIAN);
            a0 = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + c), a0);
            a1 = pair.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + c + L), a1);
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
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return (long) rows * cols * 2;
    }
}
