package dev.gemma4j.nativeengine;

import static dev.gemma4j.nativeengine.QuantizedBlocks.B;
import static dev.gemma4j.nativeengine.QuantizedBlocks.F;
import static dev.gemma4j.nativeengine.QuantizedBlocks.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import jdk.incubator.vector.VectorOperators;

/**
 * GGUF Q4_0 weights, read in place: each row is {@code cols / 32} blocks of 18 bytes, an f16 scale
 * {@code d} followed by 16 bytes; byte {@code j} holds {@code q[j]} in its low nibble and {@code q[j + 16]}
 * in its high nibble, and the weight is {@code d * (q - 8)}. The nibbles are split with one AND (low) and
 * one 16-bit shift plus AND (high: x86 has no byte shift), recentred in bytes, widened to floats, and the
 * block's partial sum is scaled by {@code d} once.
 */
final class Q4_0Matrix extends Matrix {
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;
    private static final int HALF = 16;

    private final int blocks;
    private final long rowBytes;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        QuantizedBlocks.requireWholeBlocks(cols, BLOCK, "Q4_0");
        super(data, rows, cols);
        this.blocks = cols / BLOCK;
        this.rowBytes = (long) blocks * BLOCK_BYTES;
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("Q4_0 data of " + data.byteSize() + " bytes for " + rows + " x "
                    + cols);
        }
    }

    /*
     * The block loops below are written out rather than split into helpers that return vectors: the JIT
     * compiles such a helper on its own first, with the Java fallback of the widening and with the vector
     * boxed on return, and then refuses to inline the large result (gigabytes per second of garbage).
     * The widening runs once per 16 bytes, straight from the load; the nibbles are split in int lanes,
     * where x86 has shifts (byte lanes have none).
     */

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

    /** Row {@code r} dequantized into {@code w} with vector unpacking (the prefill path). */
    private void decodeRow(int r, float[] w) {
        long off = r * rowBytes;
        for (int c = 0; c < cols; c += BLOCK, off += BLOCK_BYTES) {
            FloatVector d = FloatVector.broadcast(F, scale(off));
            for (int p = 0; p < HALF; p += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, off + 2 + p, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(w, c + p);
                ((FloatVector) v.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8).convert(VectorOperators.I2F, 0))
                        .mul(d).intoArray(w, c + HALF + p);
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
            for (int p = 0; p < HALF; p += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, off + 2 + p, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                FloatVector lo = (FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) v.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8)
                        .convert(VectorOperators.I2F, 0);
                s = lo.fma(FloatVector.fromArray(F, x, xOff + c + p), s);
                s = hi.fma(FloatVector.fromArray(F, x, xOff + c + HALF + p), s);
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
            for (int j = 0; j < HALF; j++) {
                int v = data.get(QuantizedBlocks.BYTE, b + 2 + j) & 0xFF;
                dst[off + c + j] = d * ((v & 0xF) - 8) * scale;
                dst[off + c + HALF + j] = d * ((v >>> 4) - 8) * scale;
            }
        }
    }


    @Override
    public long bytes() {
        return rowBytes * rows;
    }
}
