package dev.gemma4j.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: where each field of a well-formed GGUF header lies, found by an independent walk of the
 * bytes, so that corruption tests can patch exactly one field.
 */
final class GgufLayout {
    /** keyPos: the key's u64 length; typePos: its u32 value type; valuePos: the value (for arrays, the element type). */
    record Kv(String key, long keyPos, long typePos, long valuePos) {
    }

    /** Positions of a tensor info's fields. */
    record Info(String name, long namePos, long nDimsPos, long dimsPos, int nDims, long typePos, long offsetPos,
            long offset) {
    }

    final byte[] bytes;
    final Map<String, Kv> kvs = new LinkedHashMap<>();
    final List<Info> infos = new ArrayList<>();
    final long infosEnd;

    private final ByteBuffer b;

    GgufLayout(Path file) throws IOException {
        bytes = Files.readAllBytes(file);
        b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long tensors = b.getLong(8);
        long kv = b.getLong(16);
        int p = 24;
        for (long i = 0; i < kv; i++) {
            int keyPos = p;
            String key = str(p);
            p += 8 + (int) b.getLong(p);
            int typePos = p;
            int type = b.getInt(p);
            p += 4;
            kvs.put(key, new Kv(key, keyPos, typePos, p));
            p = skipValue(type, p);
        }
        for (long i = 0; i < tensors; i++) {
            int namePos = p;
            String name = str(p);
            p += 8 + (int) b.getLong(p);
            int nDimsPos = p;
            int nDims = b.getInt(p);
            p += 4 + 8 * nDims;
            int typePos = p;
            long offset = b.getLong(p + 4);
            infos.add(new Info(name, namePos, nDimsPos, nDimsPos + 4, nDims, typePos, typePos + 4, offset));
            p += 12;
        }
        infosEnd = p;
    }

    Kv kv(String key) {
        return kvs.get(key);
    }

    Info info(String name) {
        return infos.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    private String str(int p) {
        int len = (int) b.getLong(p);
        return new String(bytes, p + 8, len, StandardCharsets.UTF_8);
    }

    private int skipValue(int type, int p) {
        return switch (type) {
            case 0, 1, 7 -> p + 1;
            case 2, 3 -> p + 2;
            case 4, 5, 6 -> p + 4;
            case 10, 11, 12 -> p + 8;
            case 8 -> p + 8 + (int) b.getLong(p);
            case 9 -> {
                int et = b.getInt(p);
                long n = b.getLong(p + 4);
                int q = p + 12;
                for (long i = 0; i < n; i++) {
                    q = skipValue(et, q);
                }
                yield q;
            }
            default -> throw new IllegalStateException("type " + type);
        };
    }

    /** A copy of the file with {@code value} written little-endian at {@code pos} ({@code width} bytes). */
    byte[] patched(long pos, int width, long value) {
        byte[] copy = bytes.clone();
        ByteBuffer c = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 4 -> c.putInt((int) pos, (int) value);
            case 8 -> c.putLong((int) pos, value);
            default -> throw new IllegalArgumentException("width " + width);
        }
        return copy;
    }
}
