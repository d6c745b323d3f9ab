package dev.gemma4j.nativeengine;

import static dev.gemma4j.nativeengine.QuantizedBlocks.B;
import static dev.gemma4j.nativeengine.QuantizedBlocks.F;
import static dev.gemma4j.nativeengine.QuantizedBlocks.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGUF Q8_0 weights, read in place: each row is {@code cols / 32} blocks of 34 bytes, an f16 scale
 * {@code d} followed by 32 int8 values {@code q}; the weight is {@code d * q}. A block's bytes widen into
 * float vectors ({@code 32 / L} of them), are multiplied with the input, and the block's partial sum is
 * scaled by {@code d} once.
 */
final class Q8_0Matrix extends Matrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;

    private final int blocks;
    private final long rowBytes;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        QuantizedBlocks.requireWholeBlocks(cols, BLOCK, "Q8_0");
        super(data, rows, cols);
        this.blocks = cols / BLOCK;
        this.rowBytes = (long) blocks * BLOCK_BYTES;
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("Q8_0 data of " + data.byteSize() + " bytes for " + rows + " x "
                    + cols);
        }
    }

    private float scale(long off) {
        return QuantizedBlocks.f16(data, off);
    }

    /**
     * One token: blocks are widened in registers and dotted directly. Several tokens: each row is
     * dequantized once into an L1-resident buffer and reused by every token, four tokens per pass.
     */
    @Override
    public void multiply(float[] x, int n, float[] out, int outStride, int from, int to) {
        if (n >= 4) {
            float[] w = new float[cols];
            for (int r = from; r < to; r++) {
                decodeRow(r, w);
                QuantizedBlocks.multiplyDecoded(w, cols, x, n, out, outStride, r);
            }
            return;
        }
        for (int r = from; r < to; r++) {
            long rowOff = r * rowBytes;
            for (int t = 0; t < n; t++) {
                out[t * outStride + r] = dot(rowOff, x, t * cols);
            }
        }
    }

    /** Row {@code r} dequantized into {@code w} with vector widening (the prefill path). */
    private void decodeRow(int r, float[] w) {
        long off = r * rowBytes;
        for (int c = 0; c < cols; c += BLOCK, off += BLOCK_BYTES) {
            FloatVector d = FloatVector.broadcast(F, scale(off));
            for (int p = 0; p < BLOCK; p += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, data, off + 2 + p, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, c + p);
            }
        }
    }

    /**
     * One token. The block loop is written out here rather than in a helper returning a vector: a vector
     * returned from a method the JIT does not inline is boxed on the heap, which cost gigabytes per second
     * of garbage and most of the speed.
     */
    private float dot(long rowOff, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        long off = rowOff;
        for (int c = 0; c < cols; c += BLOCK, off += BLOCK_BYTES) {
            FloatVector s = FloatVector.zero(F);
            for (int p = 0; p < BLOCK; p += L) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(B, data, off + 2 + p, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0);
                s = q.fma(FloatVector.fromArray(F, x, xOff + c + p), s);
            }
            acc = s.fma(FloatVector.broadcast(F, scale(off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void row(int r, float scale, float[] dst, int off) {
        long b = r * rowBytes;
        for (int c = 0; c < cols; c += BLOCK, b += BLOCK_BYTES) {
            float d = scale(b);
            for (int i = 0; i < BLOCK; i++) {
                dst[off + c + i] = d * data.get(QuantizedBlocks.BYTE, b + 2 + i) * scale;
            }
        }
    }

    @Override
    public long bytes() {
        return rowBytes * rows;
    }
}
