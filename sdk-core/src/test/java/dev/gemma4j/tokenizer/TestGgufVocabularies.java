package dev.gemma4j.tokenizer;

import dev.gemma4j.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only: the fixtures' GGUF tokenizer metadata, read by a minimal reader of the GGUF header and key/value
 * section (the tensors are not touched), and the tokenizers built from it, cached per test JVM.
 */
public final class TestGgufVocabularies {
    private static final Map<String, Map<String, Object>> METADATA = new ConcurrentHashMap<>();
    private static final Map<String, SentencePieceTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private TestGgufVocabularies() {
    }

    public static Path file(String model) {
        return Fixtures.model(model).resolve("model.gguf");
    }

    public static Map<String, Object> metadata(String model) {
        return METADATA.computeIfAbsent(model, m -> readMetadata(file(m)));
    }

    public static SentencePieceTokenizer tokenizer(String model) {
        return TOKENIZERS.computeIfAbsent(model, m -> SentencePieceTokenizer.create(vocabulary(m), file(m)));
    }

    /** A fresh record each call (the arrays are shared with the cached metadata; do not modify them). */
    public static GgufVocabulary vocabulary(String model) {
        Map<String, Object> kv = metadata(model);
        @SuppressWarnings("unchecked")
        List<String> tokens = (List<String>) kv.get(GgufVocabulary.KEY_TOKENS);
        return new GgufVocabulary(tokens.toArray(String[]::new), (float[]) kv.get(GgufVocabulary.KEY_SCORES),
                (int[]) kv.get(GgufVocabulary.KEY_TOKEN_TYPE), id(kv, GgufVocabulary.KEY_BOS),
                id(kv, GgufVocabulary.KEY_EOS), id(kv, GgufVocabulary.KEY_UNK), id(kv, GgufVocabulary.KEY_PAD),
                (Boolean) kv.getOrDefault(GgufVocabulary.KEY_ADD_BOS, true),
                (Boolean) kv.getOrDefault(GgufVocabulary.KEY_ADD_SPACE_PREFIX, true));
    }

    public static String chatTemplate(String model) {
        return (String) metadata(model).get(GgufVocabulary.KEY_CHAT_TEMPLATE);
    }

    private static int id(Map<String, Object> kv, String key) {
        Object v = kv.get(key);
        return v == null ? -1 : ((Number) v).intValue();
    }

    static Map<String, Object> readMetadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            buf.order(ByteOrder.LITTLE_ENDIAN);
            if (buf.getInt() != 0x46554747) { // "GGUF"
                throw new IllegalStateException(file + ": not a GGUF file");
            }
            buf.getInt(); // version
            buf.getLong(); // tensor count
            long kvCount = buf.getLong();
            Map<String, Object> kv = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string(buf);
                kv.put(key, value(buf, buf.getInt()));
            }
            return kv;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String string(ByteBuffer buf) {
        int n = Math.toIntExact(buf.getLong());
        byte[] bytes = new byte[n];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer buf, int type) {
        return switch (type) {
            case 0 -> (long) (buf.get() & 0xFF);
            case 1 -> (long) buf.get();
            case 2 -> (long) (buf.getShort() & 0xFFFF);
            case 3 -> (long) buf.getShort();
            case 4 -> buf.getInt() & 0xFFFFFFFFL;
            case 5 -> (long) buf.getInt();
            case 6 -> buf.getFloat();
            case 7 -> buf.get() != 0;
            case 8 -> string(buf);
            case 9 -> array(buf);
            case 10, 11 -> buf.getLong();
            case 12 -> buf.getDouble();
            default -> throw new IllegalStateException("bad GGUF value type " + type);
        };
    }

    private static Object array(ByteBuffer buf) {
        int elementType = buf.getInt();
        int n = Math.toIntExact(buf.getLong());
        if (elementType == 6) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = buf.getFloat();
            }
            return a;
        }
        if (elementType == 5 || elementType == 4) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = buf.getInt();
            }
            return a;
        }
        List<Object> list = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(value(buf, elementType));
        }
        return list;
    }
}
