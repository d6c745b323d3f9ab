package dev.gemma4j.weights;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes small safetensors files, valid or deliberately broken, for the reader's tests. */
final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor to write: its header fields and its bytes. */
    record Part(String name, String dtype, long[] shape, byte[] bytes) {
        static Part copyOf(Tensor t) {
            return new Part(t.name(), t.dtype().name(), t.shape(), t.data().toArray(JAVA_BYTE));
        }
    }

    private SafetensorsWriter() {
    }

    /** A valid file: the parts back to back in the given order. */
    static void write(Path file, List<Part> parts) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Part p : parts) {
            ObjectNode entry = header.putObject(p.name());
            entry.put("dtype", p.dtype());
            ArrayNode shape = entry.putArray("shape");
            for (long d : p.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(data.size()).add(data.size() + p.bytes().length);
            data.write(p.bytes());
        }
        write(file, JSON.writeValueAsString(header), data.toByteArray());
    }

    /** A file with {@code header} as its JSON, its true length in front, then {@code data}. */
    static void write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        writeRaw(file, json.length, concat(json, data));
    }

    /** Any header length in front of any bytes: for lengths that lie. */
    static void writeRaw(Path file, long headerLength, byte[] rest) throws IOException {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array();
        Files.write(file, concat(length, rest));
    }

    static void writeIndex(Path file, Map<String, String> weightMap) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(file, JSON.writeValueAsString(index));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
