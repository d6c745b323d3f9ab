package dev.gemma4j.nativeengine;

import java.lang.foreign.MemorySegment;

/**
 * F16 weights, widened one element at a time with {@link Float#float16ToFloat} (a single instruction on
 * CPUs with F16C). Gemma checkpoints are BF16 or F32; F16 files are rare, so this path favours
 * simplicity over speed.
 */
final class F16Matrix extends Matrix {

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    private float get(long index) {
        return Float.float16ToFloat(data.get(NativeLayouts.SHORT_LE, index * 2));
    }

    @Override
    public void multiply(float[] x, int n, float[] out, int outStride, int from, int to) {
        for (int r = from; r < to; r++) {
            long base = (long) r * cols;
            for (int t = 0; t < n; t++) {
                int xOff = t * cols;
                float s = 0;
                for (int c = 0; c < cols; c++) {
                    s += get(base + c) * x[xOff + c];
                }
                out[t * outStride + r] = s;
            }
        }
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
