package dev.gemma4j.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helper: writes small GGUF files byte by byte, including malformed ones. */
final class GgufWriter {
    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private final ByteArrayOutputStream infos = new ByteArrayOutputStream();
    private final List<byte[]> datas = new ArrayList<>();
    private int kvCount;
    private int tensorCount;
    private int version = 3;
    private int alignment = 32;

    GgufWriter version(int v) {
        version = v;
        return this;
    }

    /** Alignment used for the layout (write general.alignment yourself when it is not 32). */
    GgufWriter alignment(int a) {
        alignment = a;
        return this;
    }

    /** A key and a type id; follow with the value's raw bytes. */
    GgufWriter key(String key, int type) {
        kvCount++;
        string(kv, key);
        put(kv, 4, type);
        return this;
    }

    GgufWriter raw(int width, long v) {
        put(kv, width, v);
        return this;
    }

    GgufWriter rawString(String s) {
        string(kv, s);
        return this;
    }

    GgufWriter u32(String key, long v) {
        return key(key, 4).raw(4, v);
    }

    GgufWriter str(String key, String v) {
        return key(key, 8).rawString(v);
    }

    /** A tensor whose data is {@code data}, placed after the previous one at the next aligned offset. */
    GgufWriter tensor(String name, int ggmlType, byte[] data, long... dims) {
        long offset = 0;
        for (byte[] d : datas) {
            offset = align(offset + d.length);
        }
        return tensorAt(name, ggmlType, offset, data, dims);
    }

    GgufWriter tensorAt(String name, int ggmlType, long offset, byte[] data, long... dims) {
        tensorCount++;
        string(infos, name);
        put(infos, 4, dims.length);
        for (long d : dims) {
            put(infos, 8, d);
        }
        put(infos, 4, ggmlType);
        put(infos, 8, offset);
        datas.add(data);
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        put(out, 4, version);
        put(out, 8, tensorCount);
        put(out, 8, kvCount);
        out.writeBytes(kv.toByteArray());
        out.writeBytes(infos.toByteArray());
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        for (byte[] d : datas) {
            out.writeBytes(d);
            while (out.size() % alignment != 0) {
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    private long align(long p) {
        return (p + alignment - 1) / alignment * alignment;
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        put(out, 8, b.length);
        out.writeBytes(b);
    }

    private static void put(ByteArrayOutputStream out, int width, long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        out.write(b.array(), 0, width);
    }
}
