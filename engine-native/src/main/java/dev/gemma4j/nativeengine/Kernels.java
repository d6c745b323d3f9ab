package dev.gemma4j.nativeengine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The element-wise math of the Gemma block, each next to the formula it computes. */
final class Kernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** sqrt(2 / pi), the constant of the tanh approximation of GELU. */
    private static final double GELU_C = Math.sqrt(2 / Math.PI);

    private Kernels() {
    }

    /** out = x / sqrt(mean(x^2) + eps) * w, where w already holds 1 + weight. Sums in double. */
    static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] w, int dim, double eps) {
        double ss = 0;
        for (int i = 0; i < dim; i++) {
            double v = x[xOff + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
        for (int i = 0; i < dim; i++) {
            out[outOff + i] = x[xOff + i] * inv * w[i];
        }
    }

    /** sum_i a[aOff + i] * b[bOff + i]. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int upper = F.loopBound(n);
        int i = 0;
        for (; i < upper; i += F.length()) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** out[outOff + i] += a * v[vOff + i]. */
    static void axpy(float a, float[] v, int vOff, float[] out, int outOff, int n) {
        FloatVector va = FloatVector.broadcast(F, a);
        int upper = F.loopBound(n);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, v, vOff + i).fma(va, FloatVector.fromArray(F, out, outOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] += a * v[vOff + i];
        }
    }

    /** x[i] += y[i]. */
    static void add(float[] x, float[] y, int n) {
        int upper = F.loopBound(n);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] += y[i];
        }
    }

    /**
     * gate[i] = gelu_tanh(gate[i]) * up[i]: Gemma's GeGLU, tanh GELU for every generation. The vector tanh
     * is accurate to about one float ulp, far inside the 1e-3 logit tolerance.
     */
    static void geglu(float[] gate, float[] up, int n) {
        float c = (float) GELU_C;
        int upper = F.loopBound(n);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            FloatVector inner = g.mul(g).mul(g).mul(0.044715f).add(g).mul(c);
            FloatVector gelu = inner.lanewise(VectorOperators.TANH).add(1f).mul(g).mul(0.5f);
            gelu.mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (; i < n; i++) {
            double g = gate[i];
            double gelu = 0.5 * g * (1 + Math.tanh(GELU_C * (g + 0.044715 * g * g * g)));
            gate[i] = (float) gelu * up[i];
        }
    }

    /** x = tanh(x / cap) * cap over a range: Gemma 2's attention and final softcaps. */
    static void softcap(float[] x, int off, int n, float cap) {
        int end = off + n;
        int i = off;
        for (; i + F.length() <= end; i += F.length()) {
            FloatVector.fromArray(F, x, i).div(cap).lanewise(VectorOperators.TANH).mul(cap).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] = (float) (Math.tanh(x[i] / (double) cap) * cap);
        }
    }

    /** Replaces x[0..n) by exp(x - max) and returns their sum: the unnormalised softmax. */
    static float expNormalize(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        int upper = F.loopBound(n);
        FloatVector sum = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector e = FloatVector.fromArray(F, x, i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, i);
            sum = sum.add(e);
        }
        double total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            total += x[i];
        }
        return (float) total;
    }

    /**
     * cos and sin of the rotation angles at {@code pos}: angle_i = (pos / scale) * base^(-2i / dim) for
     * i < dim / 2, computed in double and rounded once.
     */
    static void ropeAngles(int pos, double base, double scale, int dim, float[] cos, float[] sin) {
        int half = dim / 2;
        double p = pos / scale;
        for (int i = 0; i < half; i++) {
            double angle = p * Math.pow(base, -2.0 * i / dim);
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
    }

    /** Rotates one head in place, pairing dimension i with i + dim/2 (rotate_half, not interleaved). */
    static void rope(float[] x, int off, int dim, float[] cos, float[] sin) {
        int half = dim / 2;
        for (int i = 0; i < half; i++) {
            float a = x[off + i];
            float b = x[off + half + i];
            x[off + i] = a * cos[i] - b * sin[i];
            x[off + half + i] = b * cos[i] + a * sin[i];
        }
    }
}
