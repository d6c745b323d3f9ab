package dev.gemma4j.nativeengine;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.weights.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows x cols} used in place in the mapped file (or, quantized at load time, in
 * the engine's arena). Each element type has its own class with its own loops: the Vector API only runs at
 * full speed when the load of a weight vector is inlined into the loop that uses it, which a shared loop
 * over a virtual load would prevent.
 */
abstract sealed class Matrix permits F32Matrix, Bf16Matrix, F16Matrix, Q8_0Matrix, Q4_0Matrix, KQuantMatrix {
    protected final MemorySegment data;
    protected final int rows;
    protected final int cols;

    Matrix(MemorySegment data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    final int rows() {
        return rows;
    }

    final int cols() {
        return cols;
    }

    /**
     * The input as {@link #multiply} wants it, for {@code n} rows of {@code cols} floats: {@code x} itself,
     * or a reordered copy written into {@code scratch} (at least {@code n * cols} long). Done once per
     * product, before the rows are split over the workers.
     */
    float[] prepareInput(float[] x, int n, float[] scratch) {
        return x;
    }

    /**
     * {@code out[t * outStride + r] = sum_c W[r][c] * x[t * cols + c]} for rows {@code [from, to)} and
     * tokens {@code [0, n)}.
     */
    abstract void multiply(float[] x, int n, float[] out, int outStride, int from, int to);

    /** Writes row {@code r} times {@code scale} into {@code dst} at {@code off}. */
    abstract void row(int r, float scale, float[] dst, int off);

    /** Bytes of the weights: what one pass over the matrix reads. */
    abstract long bytes();

    static Matrix of(Tensor t, long rows, long cols) {
        if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) {
            throw new ModelFormatException(t.file(), t.name(), "expected shape [" + rows + ", " + cols
                    + "] but the file has " + java.util.Arrays.toString(t.shape()));
        }
        return view(t, (int) rows, (int) cols);
    }

    /** The tensor's elements seen as {@code rows x cols}; the caller has checked the element count. */
    static Matrix view(Tensor t, int rows, int cols) {
        return switch (t.dtype()) {
            case F32 -> new F32Matrix(t.data(), rows, cols);
            case BF16 -> new Bf16Matrix(t.data(), rows, cols);
            case F16 -> new F16Matrix(t.data(), rows, cols);
            case Q8_0 -> new Q8_0Matrix(t.data(), rows, cols);
            case Q4_0 -> new Q4_0Matrix(t.data(), rows, cols);
            case Q4_K, Q6_K -> new KQuantMatrix(t.data(), rows, cols, t.dtype());
            default -> throw new ModelFormatException(t.file(), t.name(),
                    t.dtype() + " weights are not supported by the native engine");
        };
    }
}
