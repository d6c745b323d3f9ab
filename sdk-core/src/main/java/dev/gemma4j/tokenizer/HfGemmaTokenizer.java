package dev.gemma4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.gemma4j.ModelFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * {@link GemmaTokenizer} over a Hugging Face {@code tokenizer.json}, run by DJL's binding of the Rust
 * {@code tokenizers} library.
 *
 * <p>Thread safety: the Rust tokenizer encodes and decodes through a shared reference (it is {@code Sync}),
 * and DJL's Java wrapper only reads its settings after construction, so concurrent encode/decode calls
 * need no mutual exclusion. What does need guarding is {@link #close()}: freeing the native tokenizer while
 * another thread is inside encode would be a use-after-free. A read-write lock lets any number of
 * encode/decode calls run together and makes close wait for them.
 */
public final class HfGemmaTokenizer implements GemmaTokenizer {
    /**
     * DJL's defaults truncate to 512 tokens and pad; a tokenizer for generation must do neither. Special
     * tokens are not added by the post-processor: {@link #encode} prepends {@code <bos>} itself, so the
     * result does not depend on whether a given tokenizer.json has a post-processor.
     */
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    static {
        // gemma4j never reaches out to the network at run time. DJL would otherwise try to download a
        // native library for a platform its jar lacks, and may send a usage ping on cloud hosts; a user who
        // wants either sets these properties explicitly.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final int bosId;
    private final int eosId;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private HfGemmaTokenizer(HuggingFaceTokenizer tokenizer, Vocabulary vocabulary, int bosId, int eosId) {
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.bosId = bosId;
        this.eosId = eosId;
    }

    /** Loads {@code modelDir/tokenizer.json}; any problem with that file is a {@link ModelFormatException}. */
    public static HfGemmaTokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file", "not found", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "file", "cannot read: " + e, e);
        }
        Vocabulary vocabulary = Vocabulary.parse(file, json);
        // Gemma's fixed piece names; tokenizer_config.json may name <end_of_turn> as eos (Gemma 3), but the
        // model's end-of-sequence id is <eos> in every generation, and end_of_turn is a stop token besides.
        int bos = requirePiece(vocabulary, file, "<bos>");
        int eos = requirePiece(vocabulary, file, "<eos>");
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), OPTIONS);
        } catch (IOException | RuntimeException e) {
            // The Rust side reports a tokenizer.json it cannot build as a RuntimeException with its message.
            throw new ModelFormatException(file, "tokenizer", "rejected by the tokenizers library: " + e.getMessage(), e);
        }
        return new HfGemmaTokenizer(hf, vocabulary, bos, eos);
    }

    private static int requirePiece(Vocabulary vocabulary, Path file, String piece) {
        return vocabulary.id(piece).orElseThrow(
                () -> new ModelFormatException(file, "added_tokens", "no " + piece + " token"));
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        long[] ids = withNative(() -> tokenizer.encode(text, false, false).getIds());
        int offset = addBos ? 1 : 0;
        int[] result = new int[ids.length + offset];
        if (addBos) {
            result[0] = bosId;
        }
        for (int i = 0; i < ids.length; i++) {
            result[i + offset] = Math.toIntExact(ids[i]);
        }
        return result;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i]);
            longs[i] = ids[i];
        }
        // The native decoder silently drops unknown ids; checkId makes that an error instead.
        return withNative(() -> tokenizer.decode(longs, skipSpecial));
    }

    @Override
    public String token(int id) {
        checkId(id);
        return vocabulary.piece(id);
    }

    @Override
    public OptionalInt tokenId(String token) {
        return vocabulary.id(token);
    }

    /** Highest id + 1; can exceed the model's embedding rows (Gemma 3's {@code <image_soft_token>}). */
    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        return new IncrementalDecoder(this);
    }

    /** Whether {@code id} is a byte-fallback piece ({@code <0xNN>}), which may hold part of a character. */
    boolean isByteToken(int id) {
        return vocabulary.isByteToken(id);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                tokenizer.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new IllegalArgumentException("token id " + id + " outside [0, " + vocabulary.size() + ")");
        }
    }

    private <T> T withNative(Supplier<T> call) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("tokenizer is closed");
            }
            return call.get();
        } finally {
            lock.readLock().unlock();
        }
    }
}
