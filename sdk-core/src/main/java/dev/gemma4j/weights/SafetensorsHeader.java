package dev.gemma4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemma4j.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Parses and checks the JSON header of one safetensors file against the size of its data section. After
 * this, every entry's byte range is known to lie inside the file, to match its dtype and shape exactly, and
 * to overlap no other entry, so slicing the mapped file can never read out of bounds.
 */
final class SafetensorsHeader {
    private static final String METADATA = "__metadata__";

    /** One tensor as the header declares it; offsets are relative to the start of the data section. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private SafetensorsHeader() {
    }

    static List<Entry> parse(byte[] json, Path file, long dataSize) {
        ObjectNode root = StrictJson.parseObject(json, file, "header");
        List<Entry> entries = new ArrayList<>(root.size());
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA)) {
                checkMetadata(field.getValue(), file);
            } else {
                entries.add(entry(field.getKey(), field.getValue(), file, dataSize));
            }
        }
        checkNoOverlap(entries, file);
        return entries;
    }

    /** The format allows only string-to-string metadata; anything else means the header is not safetensors. */
    private static void checkMetadata(JsonNode metadata, Path file) {
        if (!metadata.isObject()) {
            throw new ModelFormatException(file, METADATA, "must be an object of strings, got " + metadata.getNodeType());
        }
        for (Map.Entry<String, JsonNode> item : metadata.properties()) {
            if (!item.getValue().isTextual()) {
                throw new ModelFormatException(file, METADATA, "value of \"" + item.getKey()
                        + "\" must be a string, got " + item.getValue());
            }
        }
    }

    private static Entry entry(String name, JsonNode node, Path file, long dataSize) {
        if (!node.isObject()) {
            throw new ModelFormatException(file, name, "must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelFormatException(file, name, "dtype must be a string, got " + dtypeNode);
        }
        DType dtype = switch (dtypeNode.textValue()) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new ModelFormatException(file, name, "unsupported dtype " + dtypeNode.textValue()
                    + " (supported: F32, F16, BF16)");
        };
        long[] shape = longs(node.get("shape"), -1, file, name, "shape");
        long[] offsets = longs(node.get("data_offsets"), 2, file, name, "data_offsets");
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new ModelFormatException(file, name, "data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        if (end > dataSize) {
            throw new ModelFormatException(file, name, "data_offsets " + Arrays.toString(offsets)
                    + " run past the end of the data section (" + dataSize + " bytes); is the file truncated?");
        }
        long bytes = dtype.bytes();
        try {
            for (long d : shape) {
                bytes = Math.multiplyExact(bytes, d);
            }
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, name, "shape " + Arrays.toString(shape) + " overflows a 64-bit size");
        }
        if (bytes != end - begin) {
            throw new ModelFormatException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + bytes + " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative 64-bit integers, of exactly {@code length} elements unless it is -1. */
    private static long[] longs(JsonNode node, int length, Path file, String name, String key) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            String expected = length >= 0 ? "an array of " + length + " integers" : "an array of integers";
            throw new ModelFormatException(file, name, key + " must be " + expected + ", got " + node);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new ModelFormatException(file, name, key + " must hold non-negative 64-bit integers, got " + node);
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static void checkNoOverlap(List<Entry> entries, Path file) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry previous = byOffset.get(i - 1);
            Entry current = byOffset.get(i);
            if (current.begin() < previous.end()) {
                throw new ModelFormatException(file, current.name(), "data_offsets [" + current.begin() + ", "
                        + current.end() + "] overlap those of " + previous.name() + " [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
        }
    }
}
