package dev.gemma4j.weights;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.testing.Fixtures;
import dev.gemma4j.weights.SafetensorsWriter.Part;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsStoreTest {
    private static final ValueLayout.OfShort BF16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    @Test
    void tinyGemma() {
        try (SafetensorsStore store = SafetensorsStore.open(Fixtures.model("tiny-gemma"))) {
            assertEquals(20, store.names().size());
            assertFalse(store.normsIncludeOne());
            assertEquals(Fixtures.model("tiny-gemma"), store.location());
            assertShape(store, "model.embed_tokens.weight", 256_000, 32);
            assertShape(store, "model.layers.0.self_attn.q_proj.weight", 64, 32);
            assertShape(store, "model.layers.0.self_attn.k_proj.weight", 16, 32);
            assertShape(store, "model.layers.1.self_attn.o_proj.weight", 32, 64);
            assertShape(store, "model.layers.1.mlp.down_proj.weight", 32, 128);
            assertShape(store, "model.norm.weight", 32);
            // Truth from numpy over the raw file: raw BF16 bits and their float value.
            Tensor embed = store.require("model.embed_tokens.weight");
            assertBf16(embed, 0, 0x3d34, 0.0439453125f);
            assertBf16(embed, 1, 0xbd85, -0.06494140625f);
            assertBf16(embed, 32_005, 0xbd35, -0.044189453125f);
            Tensor q = store.require("model.layers.0.self_attn.q_proj.weight");
            assertBf16(q, 0, 0xbf0a, -0.5390625f);
            assertBf16(q, 33, 0xbf15, -0.58203125f);
            assertBf16(q, 2047, 0x3e5a, 0.212890625f);
            Tensor down = store.require("model.layers.1.mlp.down_proj.weight");
            assertBf16(down, 0, 0xbc2b, -0.01043701171875f);
            assertBf16(down, 4095, 0x3cfd, 0.0308837890625f);
        }
    }

    @Test
    void tinyGemma2() {
        try (SafetensorsStore store = SafetensorsStore.open(Fixtures.model("tiny-gemma2"))) {
            assertEquals(46, store.names().size());
            assertShape(store, "model.embed_tokens.weight", 256_000, 32);
            assertShape(store, "model.layers.3.self_attn.q_proj.weight", 64, 32);
            assertShape(store, "model.layers.3.self_attn.k_proj.weight", 32, 32);
            assertShape(store, "model.layers.3.pre_feedforward_layernorm.weight", 32);
            Tensor norm = store.require("model.layers.3.post_feedforward_layernorm.weight");
            assertBf16(norm, 0, 0x3f27, 0.65234375f);
            assertBf16(norm, 31, 0x3f4f, 0.80859375f);
        }
    }

    @Test
    void tinyGemma3() {
        try (SafetensorsStore store = SafetensorsStore.open(Fixtures.model("tiny-gemma3"))) {
            assertEquals(80, store.names().size());
            assertShape(store, "model.embed_tokens.weight", 262_144, 32);
            assertShape(store, "model.layers.5.self_attn.q_norm.weight", 16);
            assertShape(store, "model.layers.5.self_attn.k_norm.weight", 16);
            assertShape(store, "model.layers.5.self_attn.v_proj.weight", 16, 32);
            Tensor qNorm = store.require("model.layers.5.self_attn.q_norm.weight");
            assertBf16(qNorm, 0, 0x3f29, 0.66015625f);
            assertBf16(qNorm, 15, 0x3ef6, 0.48046875f);
            assertBf16(store.require("model.embed_tokens.weight"), 262_143L * 32 + 31, 0xbe67, -0.2255859375f);
        }
    }

    @Test
    void opensASingleFileAndHandsOutReadOnlySlices() {
        Path file = Fixtures.model("tiny-gemma").resolve("model.safetensors");
        try (SafetensorsStore store = SafetensorsStore.open(file)) {
            for (String name : store.names()) {
                Tensor t = store.require(name);
                assertTrue(t.data().isReadOnly(), name);
                assertEquals(t.elementCount() * t.dtype().bytes(), t.data().byteSize(), name);
                assertEquals(file, t.file());
            }
            assertTrue(store.find("lm_head.weight").isEmpty());
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() {
        SafetensorsStore store = SafetensorsStore.open(Fixtures.model("tiny-gemma"));
        Tensor t = store.require("model.norm.weight");
        assertEquals(0x3e91, Short.toUnsignedInt(t.data().get(BF16, 0)));
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> t.data().get(JAVA_BYTE, 0));
    }

    @Test
    void shardedCheckpointHasTheSameTensors() throws IOException {
        try (SafetensorsStore original = SafetensorsStore.open(Fixtures.model("tiny-gemma3"))) {
            List<Part> first = new ArrayList<>();
            List<Part> second = new ArrayList<>();
            Map<String, String> weightMap = new LinkedHashMap<>();
            int i = 0;
            for (String name : original.names()) {
                boolean inFirst = i++ % 2 == 0;
                (inFirst ? first : second).add(Part.copyOf(original.require(name)));
                weightMap.put(name, inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
            SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), first);
            SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), second);
            SafetensorsWriter.writeIndex(dir.resolve("model.safetensors.index.json"), weightMap);

            try (SafetensorsStore sharded = SafetensorsStore.open(dir)) {
                assertEquals(original.names(), sharded.names());
                for (String name : original.names()) {
                    Tensor a = original.require(name);
                    Tensor b = sharded.require(name);
                    assertEquals(a.dtype(), b.dtype(), name);
                    assertArrayEquals(a.shape(), b.shape(), name);
                    assertEquals(-1, a.data().mismatch(b.data()), name);
                    assertEquals(dir.resolve(weightMap.get(name)), b.file());
                }
            }
        }
    }

    @Test
    void multimodalCheckpointExposesTheTextModel() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(
                part("language_model.model.embed_tokens.weight", 4, 2),
                part("language_model.model.norm.weight", 2),
                part("vision_tower.vision_model.embeddings.patch_embedding.weight", 2, 2),
                part("multi_modal_projector.mm_input_projection_weight", 2, 2)));
        try (SafetensorsStore store = SafetensorsStore.open(dir)) {
            assertEquals(Set.of("model.embed_tokens.weight", "model.norm.weight"), store.names());
            assertArrayEquals(new long[] {4, 2}, store.require("model.embed_tokens.weight").shape());
        }
    }

    @Test
    void multimodalNameClashIsAnError() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(part("model.norm.weight", 2), part("language_model.model.norm.weight", 2)));
        assertRejected(file, "language_model.model.norm.weight", "already holds", () -> SafetensorsStore.open(file));
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[5]);
        assertRejected(file, "header length", "fewer than the 8", () -> SafetensorsStore.open(file));
    }

    @Test
    void emptyFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        Files.write(file, new byte[0]);
        assertRejected(file, "header length", "has 0 bytes", () -> SafetensorsStore.open(file));
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        Path file = dir.resolve("long.safetensors");
        SafetensorsWriter.writeRaw(file, 1000, "{}".getBytes());
        assertRejected(file, "header length", "1000 exceeds the 2 bytes", () -> SafetensorsStore.open(file));
    }

    @Test
    void headerLengthOfTwoToTheSixtySecond() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        SafetensorsWriter.writeRaw(file, 1L << 62, "{}".getBytes());
        assertRejected(file, "header length", "4611686018427387904 exceeds", () -> SafetensorsStore.open(file));
    }

    @Test
    void headerLengthWithTheTopBitSet() throws IOException {
        Path file = dir.resolve("negative.safetensors");
        SafetensorsWriter.writeRaw(file, -1, "{}".getBytes());
        assertRejected(file, "header length", "18446744073709551615 exceeds", () -> SafetensorsStore.open(file));
    }

    /** A sparse file, so the test costs no disk: the length fits in the file but exceeds the cap. */
    @Test
    void headerLengthAboveTheCap() throws IOException {
        Path file = dir.resolve("capped.safetensors");
        SafetensorsWriter.writeRaw(file, SafetensorsFile.MAX_HEADER_BYTES, new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SafetensorsFile.MAX_HEADER_BYTES + 16);
        }
        assertRejected(file, "header length", "limit", () -> SafetensorsStore.open(file));
    }

    @Test
    void headerNotJson() throws IOException {
        Path file = dir.resolve("text.safetensors");
        SafetensorsWriter.write(file, "this is not json", new byte[0]);
        assertRejected(file, "header", "not valid JSON at line 1, column 1", () -> SafetensorsStore.open(file));
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path file = dir.resolve("utf16.safetensors");
        SafetensorsWriter.writeRaw(file, 4, new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
        assertRejected(file, "header", "not valid UTF-8 at byte 0", () -> SafetensorsStore.open(file));
    }

    @Test
    void headerNotAnObject() throws IOException {
        Path file = dir.resolve("array.safetensors");
        SafetensorsWriter.write(file, "[1, 2]", new byte[0]);
        assertRejected(file, "header", "must be a JSON object", () -> SafetensorsStore.open(file));
    }

    @Test
    void offsetsPastTheEnd() throws IOException {
        Path file = dir.resolve("past.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", new byte[4]);
        assertRejected(file, "a", "run past the end of the data section (4 bytes)", () -> SafetensorsStore.open(file));
    }

    @Test
    void offsetsEndBeforeTheyBegin() throws IOException {
        Path file = dir.resolve("reversed.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}", new byte[8]);
        assertRejected(file, "a", "end before they begin", () -> SafetensorsStore.open(file));
    }

    @Test
    void shapeDisagreesWithOffsets() throws IOException {
        Path file = dir.resolve("mismatch.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", new byte[8]);
        assertRejected(file, "a", "needs 12 bytes but data_offsets [0, 8] span 8", () -> SafetensorsStore.open(file));
    }

    @Test
    void shapeThatOverflows() throws IOException {
        Path file = dir.resolve("overflow.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"BF16\", \"shape\": [4611686018427387904, 4],"
                + " \"data_offsets\": [0, 8]}}", new byte[8]);
        assertRejected(file, "a", "overflows", () -> SafetensorsStore.open(file));
    }

    @Test
    void negativeDimension() throws IOException {
        Path file = dir.resolve("negative-dim.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"F32\", \"shape\": [-2, -1], \"data_offsets\": [0, 8]}}", new byte[8]);
        assertRejected(file, "a", "non-negative", () -> SafetensorsStore.open(file));
    }

    @Test
    void overlappingTensors() throws IOException {
        Path file = dir.resolve("overlap.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", new byte[12]);
        assertRejected(file, "b", "overlap those of a [0, 8]", () -> SafetensorsStore.open(file));
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path file = dir.resolve("fp8.safetensors");
        SafetensorsWriter.write(file, "{\"a\": {\"dtype\": \"F8_E4M3\", \"shape\": [2], \"data_offsets\": [0, 2]}}", new byte[2]);
        assertRejected(file, "a", "unsupported dtype F8_E4M3", () -> SafetensorsStore.open(file));
    }

    @Test
    void metadataMustHoldStrings() throws IOException {
        Path file = dir.resolve("metadata.safetensors");
        SafetensorsWriter.write(file, "{\"__metadata__\": {\"format\": 1}}", new byte[0]);
        assertRejected(file, "__metadata__", "\"format\" must be a string", () -> SafetensorsStore.open(file));
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.copy(Fixtures.model("tiny-gemma").resolve("model.safetensors"), file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 1000);
        }
        // The header lists tensors alphabetically; the first whose bytes were cut off is reported.
        assertRejected(file, "model.layers.1.self_attn.v_proj.weight", "is the file truncated",
                () -> SafetensorsStore.open(dir));
    }

    @Test
    void missingShard() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(part("a", 2)));
        Path index = dir.resolve("model.safetensors.index.json");
        SafetensorsWriter.writeIndex(index, Map.of("a", "model-00001-of-00002.safetensors",
                "b", "model-00002-of-00002.safetensors"));
        assertRejected(index, "b", "shard model-00002-of-00002.safetensors does not exist", () -> SafetensorsStore.open(dir));
    }

    @Test
    void tensorMissingFromItsShard() throws IOException {
        Path shard = dir.resolve("model-00001-of-00001.safetensors");
        SafetensorsWriter.write(shard, List.of(part("a", 2)));
        SafetensorsWriter.writeIndex(dir.resolve("model.safetensors.index.json"),
                Map.of("a", shard.getFileName().toString(), "b", shard.getFileName().toString()));
        assertRejected(shard, "b", "is missing from this shard", () -> SafetensorsStore.open(dir));
    }

    @Test
    void tensorInTwoShards() throws IOException {
        SafetensorsWriter.write(dir.resolve("one.safetensors"), List.of(part("a", 2)));
        SafetensorsWriter.write(dir.resolve("two.safetensors"), List.of(part("a", 2), part("b", 2)));
        Map<String, String> weightMap = new LinkedHashMap<>();
        weightMap.put("a", "one.safetensors");
        weightMap.put("b", "two.safetensors");
        SafetensorsWriter.writeIndex(dir.resolve("model.safetensors.index.json"), weightMap);
        assertRejected(dir.resolve("two.safetensors"), "a", "is also in shard one.safetensors", () -> SafetensorsStore.open(dir));
    }

    @Test
    void shardTensorNotInTheIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("one.safetensors"), List.of(part("a", 2), part("extra", 2)));
        SafetensorsWriter.writeIndex(dir.resolve("model.safetensors.index.json"), Map.of("a", "one.safetensors"));
        assertRejected(dir.resolve("one.safetensors"), "extra", "is not listed in", () -> SafetensorsStore.open(dir));
    }

    @Test
    void shardOutsideTheModelDirectory() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        SafetensorsWriter.writeIndex(index, Map.of("a", "../elsewhere.safetensors"));
        assertRejected(index, "a", "file name in the model directory", () -> SafetensorsStore.open(dir));
    }

    @Test
    void directoryWithoutWeights() {
        assertRejected(dir, "model.safetensors", "neither", () -> SafetensorsStore.open(dir));
    }

    private static Part part(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new Part(name, "BF16", shape, new byte[(int) n * 2]);
    }

    private static void assertShape(WeightStore store, String name, long... shape) {
        Tensor t = store.require(name);
        assertEquals(DType.BF16, t.dtype(), name);
        assertArrayEquals(shape, t.shape(), name);
    }

    /** Element {@code index} of a BF16 tensor: its raw bits, and the float they widen to. */
    private static void assertBf16(Tensor t, long index, int bits, float value) {
        MemorySegment data = t.data();
        int raw = Short.toUnsignedInt(data.get(BF16, index * 2));
        assertEquals(bits, raw, t.name() + "[" + index + "]");
        assertEquals(value, Float.intBitsToFloat(raw << 16), t.name() + "[" + index + "]");
    }

    private static void assertRejected(Path file, String field, String problem, Executable open) {
        ModelFormatException e = assertThrows(ModelFormatException.class, open);
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": " + field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
