package dev.gemma4j.gguf;

import static dev.gemma4j.gguf.GgufFixturesTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.weights.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each corruption of a fixture copy is a ModelFormatException naming the file and the field. */
class GgufCorruptionTest {
    private static GgufLayout layout;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixture() throws IOException {
        layout = new GgufLayout(GgufFixturesTest.gguf("tiny-gemma2"));
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("corrupt.gguf"), bytes);
    }

    private void expect(byte[] bytes, String field) throws IOException {
        Path file = write(bytes);
        assertField(file, field, () -> GgufFile.open(file).close());
        assertField(file, field, () -> GgufStore.open(file).close());
    }

    @Test
    void fixtureCopyOpens() throws IOException {
        Path file = write(layout.bytes);
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(46, f.tensors().size());
        }
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = layout.bytes.clone();
        b[0] = 'X';
        expect(b, "magic");
        expect(new byte[2], "magic");
        expect(new byte[0], "magic");
    }

    @Test
    void unsupportedVersions() throws IOException {
        expect(layout.patched(4, 4, 1), "version");
        expect(layout.patched(4, 4, 99), "version");
        expect(layout.patched(4, 4, 0x03000000), "version"); // big-endian file
        expect(Arrays.copyOf(layout.bytes, 6), "version");
    }

    @Test
    void hugeCounts() throws IOException {
        expect(layout.patched(8, 8, 1L << 60), "tensor_count");
        expect(layout.patched(8, 8, -1), "tensor_count");
        expect(layout.patched(16, 8, 1L << 60), "metadata_kv_count");
        expect(layout.patched(16, 8, Long.MAX_VALUE), "metadata_kv_count");
        expect(Arrays.copyOf(layout.bytes, 20), "metadata_kv_count");
        expect(Arrays.copyOf(layout.bytes, 12), "tensor_count");
    }

    @Test
    void stringLengthPastTheEnd() throws IOException {
        expect(layout.patched(24, 8, layout.bytes.length), "metadata[0].key");
        expect(layout.patched(24, 8, -1), "metadata[0].key");
        expect(layout.patched(24, 8, GgufFile.MAX_NAME_BYTES + 1), "metadata[0].key");
        GgufLayout.Kv arch = layout.kv("general.architecture");
        expect(layout.patched(arch.valuePos(), 8, layout.bytes.length), "general.architecture");
        // inside an array of strings
        GgufLayout.Kv tokens = layout.kv("tokenizer.ggml.tokens");
        expect(layout.patched(tokens.valuePos() + 12, 8, 1L << 40), "tokenizer.ggml.tokens");
    }

    @Test
    void hugeArrayLength() throws IOException {
        GgufLayout.Kv scores = layout.kv("tokenizer.ggml.scores");
        expect(layout.patched(scores.valuePos() + 4, 8, 1L << 62), "tokenizer.ggml.scores");
        expect(layout.patched(scores.valuePos() + 4, 8, -1), "tokenizer.ggml.scores");
        GgufLayout.Kv tokens = layout.kv("tokenizer.ggml.tokens");
        expect(layout.patched(tokens.valuePos() + 4, 8, 1L << 61), "tokenizer.ggml.tokens");
        // the array's element count is fine but its elements run into the tensor infos and beyond
        expect(layout.patched(scores.valuePos() + 4, 8, layout.bytes.length / 4 - 10), "tokenizer.ggml.scores");
    }

    @Test
    void badValueTypes() throws IOException {
        GgufLayout.Kv arch = layout.kv("general.architecture");
        expect(layout.patched(arch.typePos(), 4, 13), "general.architecture");
        GgufLayout.Kv scores = layout.kv("tokenizer.ggml.scores");
        expect(layout.patched(scores.valuePos(), 4, 9), "tokenizer.ggml.scores"); // nested array
        expect(layout.patched(scores.valuePos(), 4, 77), "tokenizer.ggml.scores");
        GgufLayout.Kv addBos = layout.kv("tokenizer.ggml.add_bos_token");
        byte[] b = layout.bytes.clone();
        b[(int) addBos.valuePos()] = 7;
        expect(b, "tokenizer.ggml.add_bos_token");
    }

    @Test
    void duplicateKey() throws IOException {
        // "general.name" and "general.type" have the same length: rename the first to the second.
        GgufLayout.Kv name = layout.kv("general.name");
        assertTrue(layout.kv("general.type").keyPos() < name.keyPos());
        byte[] b = layout.bytes.clone();
        byte[] type = "general.type".getBytes();
        System.arraycopy(type, 0, b, (int) name.keyPos() + 8, type.length);
        expect(b, "general.type");
    }

    @Test
    void duplicateTensorName() throws IOException {
        GgufLayout.Info a = layout.info("blk.0.ffn_up.weight");
        GgufLayout.Info c = layout.info("blk.1.ffn_up.weight");
        byte[] b = layout.bytes.clone();
        b[(int) c.namePos() + 8 + 4] = '0';
        expect(b, "blk.0.ffn_up.weight");
        assertTrue(a.namePos() < c.namePos());
    }

    @Test
    void tensorOffsets() throws IOException {
        GgufLayout.Info q = layout.info("blk.2.attn_q.weight");
        expect(layout.patched(q.offsetPos(), 8, 1L << 40), "blk.2.attn_q.weight");
        expect(layout.patched(q.offsetPos(), 8, -32), "blk.2.attn_q.weight");
        expect(layout.patched(q.offsetPos(), 8, Long.MAX_VALUE - 31), "blk.2.attn_q.weight");
        expect(layout.patched(q.offsetPos(), 8, q.offset() + 1), "blk.2.attn_q.weight");
        expect(layout.patched(q.offsetPos(), 8, q.offset() + 16), "blk.2.attn_q.weight");
    }

    @Test
    void overlappingTensors() throws IOException {
        GgufLayout.Info k = layout.info("blk.1.attn_k.weight");
        GgufLayout.Info v = layout.info("blk.1.attn_v.weight");
        byte[] same = layout.patched(v.offsetPos(), 8, k.offset());
        Path file = write(same);
        assertOverlap(file, k.name(), v.name());
        // one 32-byte step into k's data
        assertOverlap(write(layout.patched(v.offsetPos(), 8, k.offset() + 32)), k.name(), v.name());
    }

    private static void assertOverlap(Path file, String a, String b) {
        try {
            GgufFile.open(file).close();
            fail("opened a file with overlapping tensors");
        } catch (ModelFormatException e) {
            assertEquals(file, e.file());
            assertTrue(e.field().equals(a) || e.field().equals(b), e.getMessage());
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        }
    }

    @Test
    void unknownTensorTypes() throws IOException {
        GgufLayout.Info q = layout.info("blk.0.attn_q.weight");
        expect(layout.patched(q.typePos(), 4, 99), "blk.0.attn_q.weight");
        expect(layout.patched(q.typePos(), 4, 13), "blk.0.attn_q.weight"); // Q5_K
        expect(layout.patched(q.typePos(), 4, -1), "blk.0.attn_q.weight");
        // Q8_0 needs rows of 32: attn_k's rows are 32 (fine, but the data is then too short? no: smaller),
        // ffn_down's rows are 128; a norm of 32 as Q4_K (block 256) is a bad row length
        GgufLayout.Info norm = layout.info("blk.0.attn_norm.weight");
        expect(layout.patched(norm.typePos(), 4, 12), "blk.0.attn_norm.weight");
    }

    @Test
    void badDims() throws IOException {
        GgufLayout.Info q = layout.info("blk.0.attn_q.weight");
        expect(layout.patched(q.nDimsPos(), 4, 0), "blk.0.attn_q.weight");
        expect(layout.patched(q.nDimsPos(), 4, 5), "blk.0.attn_q.weight");
        expect(layout.patched(q.nDimsPos(), 4, -1), "blk.0.attn_q.weight");
        expect(layout.patched(q.dimsPos(), 8, 0), "blk.0.attn_q.weight");
        expect(layout.patched(q.dimsPos() + 8, 8, -5), "blk.0.attn_q.weight");
        // product overflow: 2^32 * 2^32 elements
        byte[] b = layout.patched(q.dimsPos(), 8, 1L << 32);
        ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong((int) q.dimsPos() + 8, 1L << 32);
        expect(b, "blk.0.attn_q.weight");
        // larger than the file, but no overflow
        expect(layout.patched(q.dimsPos() + 8, 8, 1L << 40), "blk.0.attn_q.weight");
    }

    @Test
    void truncated() throws IOException {
        // The error names the first tensor (in table order) whose data no longer fits.
        long cut = layout.bytes.length - 1000;
        long dataOffset = (layout.infosEnd + 31) / 32 * 32;
        GgufLayout.Info first = layout.infos.stream().filter(i -> {
            try (GgufFile f = GgufFile.open(GgufFixturesTest.gguf("tiny-gemma2"))) {
                return dataOffset + i.offset() + f.tensor(i.name()).orElseThrow().byteSize() > cut;
            }
        }).findFirst().orElseThrow();
        assertEquals("blk.3.attn_v.weight", first.name());
        expect(Arrays.copyOf(layout.bytes, (int) cut), first.name());
        // cut inside the tensor infos
        expect(Arrays.copyOf(layout.bytes, (int) layout.info("blk.2.ffn_up.weight").nDimsPos() + 2),
                "blk.2.ffn_up.weight");
        // cut inside the metadata
        expect(Arrays.copyOf(layout.bytes, (int) layout.kv("tokenizer.ggml.scores").valuePos() + 100),
                "tokenizer.ggml.scores");
    }

    @Test
    void alignmentMustBeAPowerOfTwo() throws IOException {
        // Turn general.file_type (u32 32) into general.alignment? Same length keys are needed; use the
        // synthetic writer instead (GgufSyntheticTest). Here: a tensor offset that is aligned to 16 only.
        GgufLayout.Info up = layout.info("blk.3.ffn_up.weight");
        expect(layout.patched(up.offsetPos(), 8, up.offset() - 16), "blk.3.ffn_up.weight");
    }

    /**
     * 300 seeded single-byte mutations of tiny-gemma3's header: each either opens (and then every
     * accessor, the store and the config either work or throw ModelFormatException) or throws
     * ModelFormatException; nothing else.
     */
    @Test
    void fuzzHeaderBytes() throws IOException {
        Path original = GgufFixturesTest.gguf("tiny-gemma3");
        GgufLayout g3 = new GgufLayout(original);
        Path file = Files.copy(original, dir.resolve("fuzz.gguf"));
        long dataOffset = (g3.infosEnd + 31) / 32 * 32;
        long tokensStart = g3.kv("tokenizer.ggml.tokens").valuePos();
        long tokensEnd = g3.kv("tokenizer.ggml.scores").keyPos();
        Random random = new Random(20240601);
        int opened = 0;
        int rejected = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 300; i++) {
                // Mostly the structural bytes (fixed header, keys, scalar values, tensor infos); a few in
                // the bulk arrays, whose bytes are mostly string content.
                long pos = switch (i % 4) {
                    case 0 -> random.nextInt((int) tokensStart + 16);
                    case 1 -> tokensEnd + random.nextLong(g3.infosEnd - tokensEnd);
                    case 2 -> g3.infos.get(0).namePos() + random.nextLong(g3.infosEnd - g3.infos.get(0).namePos());
                    default -> random.nextLong(dataOffset);
                };
                byte original8 = g3.bytes[(int) pos];
                byte mutated = (byte) (random.nextBoolean() ? random.nextInt(256) : original8 ^ (1 << random.nextInt(8)));
                if (mutated == original8) {
                    mutated ^= 0x55;
                }
                ch.write(ByteBuffer.wrap(new byte[] {mutated}), pos);
                try {
                    // Decoding the 262k-string vocabulary every time would dominate; every 10th run does.
                    if (exercise(file, i % 10 == 0)) {
                        opened++;
                    } else {
                        rejected++;
                    }
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("mutation " + i + " at offset " + pos + ": " + e, e);
                } finally {
                    ch.write(ByteBuffer.wrap(new byte[] {original8}), pos);
                }
            }
        }
        System.out.println("fuzz: " + opened + " opened, " + rejected + " rejected");
        assertEquals(300, opened + rejected);
    }

    /** True when the whole file was readable, false on a ModelFormatException; anything else propagates. */
    private static boolean exercise(Path file, boolean decodeBigArrays) {
        try (GgufFile f = GgufFile.open(file)) {
            boolean ok = true;
            for (String key : f.keys()) {
                try {
                    switch (f.type(key).orElseThrow()) {
                        case STRING -> f.string(key);
                        case BOOL -> f.bool(key);
                        case FLOAT32, FLOAT64 -> f.number(key);
                        case ARRAY -> {
                            if (!decodeBigArrays && f.arrayLength(key).orElseThrow() > 1000) {
                                continue;
                            }
                            switch (f.arrayType(key).orElseThrow()) {
                                case STRING -> f.stringArray(key);
                                case FLOAT32, FLOAT64 -> f.floatArray(key);
                                case BOOL -> f.arrayLength(key);
                                default -> f.intArray(key);
                            }
                        }
                        default -> f.integer(key);
                    }
                } catch (ModelFormatException e) {
                    ok = false;
                }
            }
            try {
                GgufConfig.load(f);
            } catch (ModelFormatException e) {
                ok = false;
            }
            try {
                GgufStore store = GgufStore.of(f);
                for (String name : store.names()) {
                    Tensor t = store.require(name);
                    assertEquals(t.dtype().byteSize(t.elementCount()), t.data().byteSize());
                }
            } catch (ModelFormatException e) {
                ok = false;
            }
            return ok;
        } catch (ModelFormatException e) {
            assertEquals(file, e.file());
            assertTrue(e.field() != null && !e.field().isEmpty());
            return false;
        }
    }
}
