package dev.gemma4j.gguf;

import dev.gemma4j.weights.DType;
import java.util.Arrays;

/**
 * One entry of a GGUF file's tensor table, already validated against the file.
 *
 * @param name     the tensor's GGUF name, e.g. {@code blk.0.attn_q.weight}
 * @param type     element type ({@link GgufFile#dtypeOf(int)} of the file's ggml type id)
 * @param ggmlType the ggml type id as stored
 * @param dims     dimensions in GGUF order: innermost (contiguous) first, so a linear layer
 *                 [out, in] is listed as [in, out]
 * @param offset   byte offset of the data, relative to the start of the data section (a multiple of the
 *                 file's alignment)
 * @param byteSize bytes of data: {@code type.byteSize(elementCount())}
 */
public record GgufTensorInfo(String name, DType type, int ggmlType, long[] dims, long offset, long byteSize) {
    public GgufTensorInfo {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i} in GGUF order (0 = innermost). */
    public long dim(int i) {
        return dims[i];
    }

    /** Dimensions outermost first (Hugging Face / row-major order): {@code dims} reversed. */
    public long[] shape() {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[dims.length - 1 - i];
        }
        return shape;
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && ggmlType == t.ggmlType
                && Arrays.equals(dims, t.dims) && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(dims) + " @" + offset;
    }
}
