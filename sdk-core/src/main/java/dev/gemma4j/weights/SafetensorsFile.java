package dev.gemma4j.weights;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.gemma4j.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps one {@code .safetensors} file and hands out its tensors as read-only slices of the mapping.
 * Layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON, then the data section
 * that the header's {@code data_offsets} index into.
 */
final class SafetensorsFile {
    /**
     * Real headers are kilobytes to a few megabytes; the cap keeps a corrupt length from making us copy a
     * huge part of the file onto the heap to parse it.
     */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final String HEADER_LENGTH = "header length";

    private SafetensorsFile() {
    }

    /** The file's tensors, under the names its header uses, mapped into {@code arena}. */
    static List<Tensor> map(Path file, Arena arena) {
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // The mapping outlives the channel; the arena decides when it is unmapped.
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (IOException e) {
            throw new ModelFormatException(file, "file", "cannot map: " + e, e);
        }
        long size = mapped.byteSize();
        if (size < Long.BYTES) {
            throw new ModelFormatException(file, HEADER_LENGTH, "the file has " + size
                    + " bytes, fewer than the 8 that hold the header length");
        }
        long headerLength = mapped.get(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        // An unsigned value of 2^63 or more reads as negative here; it cannot fit either.
        if (headerLength < 0 || headerLength > size - Long.BYTES) {
            throw new ModelFormatException(file, HEADER_LENGTH, Long.toUnsignedString(headerLength)
                    + " exceeds the " + (size - Long.BYTES) + " bytes that follow it in the file");
        }
        if (headerLength >= MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, HEADER_LENGTH, headerLength + " is not below the "
                    + MAX_HEADER_BYTES + "-byte limit for a safetensors header");
        }
        byte[] header = mapped.asSlice(Long.BYTES, headerLength).toArray(JAVA_BYTE);
        MemorySegment data = mapped.asSlice(Long.BYTES + headerLength);
        List<SafetensorsHeader.Entry> entries = SafetensorsHeader.parse(header, file, data.byteSize());
        List<Tensor> tensors = new ArrayList<>(entries.size());
        for (SafetensorsHeader.Entry e : entries) {
            MemorySegment bytes = data.asSlice(e.begin(), e.end() - e.begin()).asReadOnly();
            tensors.add(new Tensor(e.name(), e.dtype(), e.shape(), bytes, file));
        }
        return tensors;
    }
}
