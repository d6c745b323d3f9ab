package dev.gemma4j.nativeengine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** F32 weights, read directly. */
final class F32Matrix extends Matrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private final int upper;

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
        this.upper = F.loopBound(cols);
    }

    private FloatVector load(long index) {
        return FloatVector.fromMemorySegment(F, data, index * 4, ByteOrder.LITTLE_ENDIAN);
    }

    private float get(long index) {
        return data.get(NativeLayouts.FLOAT_LE, index * 4);
    }

    @Override
    public void multiply(float[] x, int n, float[] out, int outStride, int from, int to) {
        for (int r = from; r < to; r++) {
            long base = (long) r * cols;
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
                for (int c = 0; c < upper; c += L) {
                    FloatVector w = load(base + c);
                    a0 = w.fma(FloatVector.fromArray(F, x, x0 + c), a0);
                    a1 = w.fma(FloatVector.fromArray(F, x, x1 + c), a1);
                    a2 = w.fma(FloatVector.fromArray(F, x, x2 + c), a2);
                    a3 = w.fma(FloatVector.fromArray(F, x, x3 + c), a3);
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
        // Two accumulators hide the FMA latency on the one-token (decode) path.
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * L <= upper; c += 2 * L) {
            a0 = load(base + c).fma(FloatVector.fromArray(F, x, xOff + c), a0);
            a1 = load(base + c + L).fma(FloatVector.fromArray(F, x, xOff + c + L), a1);
        }
        for (; c < upper; c += L) {
            a0 = load(base + c).fma(FloatVector.fromArray(F, x, xOff + c), a0);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
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
        return (long) rows * cols * 4;
    }
}
