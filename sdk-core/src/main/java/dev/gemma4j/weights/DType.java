package dev.gemma4j.weights;

/**
 * Element types a weight tensor can be stored in: plain floats, and GGUF's block-quantized formats, where
 * {@code blockSize} consecutive elements of a row share one block of {@code blockBytes} bytes.
 */
public enum DType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    /** 32 int8 values and one F16 scale: 34 bytes per 32 weights. */
    Q8_0(32, 34),
    /** 32 4-bit values (offset 8) and one F16 scale: 18 bytes per 32 weights. */
    Q4_0(32, 18),
    /** Super-block of 256: F16 scale and min, 8 sub-blocks with 6-bit scales and mins, 4-bit values. */
    Q4_K(256, 144),
    /** Super-block of 256: 16 sub-blocks with int8 scales, 6-bit values, one F16 scale. */
    Q6_K(256, 210);

    private final int blockSize;
    private final int blockBytes;

    DType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Elements per block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean quantized() {
        return blockSize > 1;
    }

    /** Bytes per element of a plain type; quantized types have no whole-byte element size. */
    public int bytes() {
        if (quantized()) {
            throw new IllegalStateException(this + " is block-quantized: use byteSize(elements)");
        }
        return blockBytes;
    }

    /**
     * Bytes that {@code elements} elements take.
     *
     * @throws ArithmeticException      if the size overflows a long
     * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks
     */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " elements are not a whole number of " + this
                    + " blocks of " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }
}
