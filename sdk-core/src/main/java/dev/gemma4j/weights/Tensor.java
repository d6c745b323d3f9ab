package dev.gemma4j.weights;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One weight tensor, still in the mapped file: {@code data} is a read-only slice of exactly
 * {@code dtype.byteSize(elementCount())} bytes, little-endian, row-major (last dimension fastest; a
 * quantized row is a sequence of blocks).
 * Valid until the {@link WeightStore} that produced it is closed.
 *
 * @param name  the canonical (Hugging Face) tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype element type
 * @param shape dimensions, outermost first (a linear layer is [out_features, in_features])
 * @param data  the bytes
 * @param file  the file the bytes live in, for error messages
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data, Path file) {
    public Tensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " in " + file;
    }
}
