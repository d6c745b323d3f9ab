package dev.gemma4j.gguf;

import static dev.gemma4j.gguf.GgufFixturesTest.assertField;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemma4j.weights.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small hand-written GGUF files: every value type, versions, alignment. */
class GgufSyntheticTest {
    @TempDir
    Path dir;

    private Path write(GgufWriter w) throws IOException {
        return Files.write(dir.resolve("t.gguf"), w.bytes());
    }

    @Test
    void everyValueType() throws IOException {
        GgufWriter w = new GgufWriter().version(2)
                .key("u8", 0).raw(1, 200)
                .key("i8", 1).raw(1, -5)
                .key("u16", 2).raw(2, 65_000)
                .key("i16", 3).raw(2, -30_000)
                .key("u32", 4).raw(4, 4_000_000_000L)
                .key("i32", 5).raw(4, -7)
                .key("f32", 6).raw(4, Float.floatToIntBits(1.5f))
                .key("bool", 7).raw(1, 1)
                .str("s", "héllo")
                .key("u64", 10).raw(8, 1L << 40)
                .key("u64big", 10).raw(8, -1)
                .key("i64", 11).raw(8, -(1L << 40))
                .key("f64", 12).raw(8, Double.doubleToLongBits(0.1))
                .key("a_u8", 9).raw(4, 0).raw(8, 3).raw(1, 1).raw(1, 2).raw(1, 255)
                .key("a_i16", 9).raw(4, 3).raw(8, 2).raw(2, -1).raw(2, 5)
                .key("a_u32", 9).raw(4, 4).raw(8, 2).raw(4, 7).raw(4, 4_000_000_000L)
                .key("a_i64", 9).raw(4, 11).raw(8, 2).raw(8, -3).raw(8, 1L << 20)
                .key("a_f64", 9).raw(4, 12).raw(8, 2).raw(8, Double.doubleToLongBits(0.25))
                        .raw(8, Double.doubleToLongBits(-2))
                .key("a_bool", 9).raw(4, 7).raw(8, 2).raw(1, 0).raw(1, 1)
                .key("a_s", 9).raw(4, 8).raw(8, 3).rawString("").rawString("a").rawString("€")
                .key("a_empty", 9).raw(4, 6).raw(8, 0)
                .tensor("w", 0, new byte[8], 2);
        Path p = write(w);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(2, f.version());
            assertEquals(200, f.integer("u8").orElseThrow());
            assertEquals(-5, f.integer("i8").orElseThrow());
            assertEquals(65_000, f.integer("u16").orElseThrow());
            assertEquals(-30_000, f.integer("i16").orElseThrow());
            assertEquals(4_000_000_000L, f.integer("u32").orElseThrow());
            assertEquals(-7, f.integer("i32").orElseThrow());
            assertEquals(1.5, f.number("f32").orElseThrow());
            assertEquals(true, f.bool("bool").orElseThrow());
            assertEquals("héllo", f.string("s").orElseThrow());
            assertEquals(1L << 40, f.integer("u64").orElseThrow());
            assertField(p, "u64big", () -> f.integer("u64big"));
            assertEquals(18446744073709551615.0, f.number("u64big").orElseThrow());
            assertEquals(-(1L << 40), f.integer("i64").orElseThrow());
            assertEquals(0.1, f.number("f64").orElseThrow());
            assertEquals(4_000_000_000.0, f.number("u32").orElseThrow());
            assertArrayEquals(new int[] {1, 2, 255}, f.intArray("a_u8"));
            assertArrayEquals(new int[] {-1, 5}, f.intArray("a_i16"));
            assertField(p, "a_u32", () -> f.intArray("a_u32"));
            assertArrayEquals(new int[] {-3, 1 << 20}, f.intArray("a_i64"));
            assertArrayEquals(new float[] {0.25f, -2f}, f.floatArray("a_f64"));
            assertField(p, "a_bool", () -> f.intArray("a_bool"));
            assertEquals(2, f.arrayLength("a_bool").orElseThrow());
            assertArrayEquals(new String[] {"", "a", "€"}, f.stringArray("a_s"));
            assertArrayEquals(new float[0], f.floatArray("a_empty"));
            assertEquals(GgufValueType.FLOAT32, f.arrayType("a_empty").orElseThrow());
            assertField(p, "u8", () -> f.arrayLength("u8"));
            GgufTensorInfo t = f.tensor("w").orElseThrow();
            assertEquals(DType.F32, t.type());
            assertEquals(8, f.data(t).byteSize());
        }
    }

    @Test
    void customAlignment() throws IOException {
        GgufWriter w = new GgufWriter().alignment(64).u32(GgufFile.ALIGNMENT_KEY, 64)
                .tensor("a", 0, new byte[4], 1)
                .tensor("b", 0, new byte[4], 1);
        try (GgufFile f = GgufFile.open(write(w))) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.tensor("b").orElseThrow().offset());
        }
        Path bad = write(new GgufWriter().u32(GgufFile.ALIGNMENT_KEY, 48).tensor("a", 0, new byte[4], 1));
        assertField(bad, GgufFile.ALIGNMENT_KEY, () -> GgufFile.open(bad));
        Path zero = write(new GgufWriter().u32(GgufFile.ALIGNMENT_KEY, 0).tensor("a", 0, new byte[4], 1));
        assertField(zero, GgufFile.ALIGNMENT_KEY, () -> GgufFile.open(zero));
        Path text = write(new GgufWriter().str(GgufFile.ALIGNMENT_KEY, "32"));
        assertField(text, GgufFile.ALIGNMENT_KEY, () -> GgufFile.open(text));
        // a tensor offset aligned to 32 but not to the declared 64
        Path mis = write(new GgufWriter().alignment(64).u32(GgufFile.ALIGNMENT_KEY, 64)
                .tensorAt("a", 0, 32, new byte[4], 1));
        assertField(mis, "a", () -> GgufFile.open(mis));
    }

    @Test
    void emptyFileWithoutTensors() throws IOException {
        try (GgufFile f = GgufFile.open(write(new GgufWriter().str("general.architecture", "gemma")))) {
            assertEquals(0, f.tensors().size());
        }
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path p = write(new GgufWriter().str("general.architecture", "llama"));
        try (GgufFile f = GgufFile.open(p)) {
            assertField(p, "general.architecture", () -> GgufConfig.load(f));
        }
        assertField(p, "general.architecture", () -> GgufStore.open(p));
        Path none = write(new GgufWriter().u32("x", 1));
        try (GgufFile f = GgufFile.open(none)) {
            assertField(none, "general.architecture", () -> GgufConfig.load(f));
        }
    }

    @Test
    void quantizedRowLengthAndSizes() throws IOException {
        // Q8_0 [64, 3]: 2 blocks of 34 bytes per row
        Path p = write(new GgufWriter().tensor("q", 8, new byte[3 * 68], 64, 3)
                .tensor("k", 12, new byte[144], 256)
                .tensor("s", 14, new byte[2 * 210], 256, 2)
                .tensor("f", 1, new byte[2 * 6], 2, 3, 1, 1));
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(DType.Q8_0, f.tensor("q").orElseThrow().type());
            assertEquals(3 * 68, f.tensor("q").orElseThrow().byteSize());
            assertEquals(DType.Q4_K, f.tensor("k").orElseThrow().type());
            assertEquals(420, f.tensor("s").orElseThrow().byteSize());
            assertArrayEquals(new long[] {1, 1, 3, 2}, f.tensor("f").orElseThrow().shape());
        }
        Path bad = write(new GgufWriter().tensor("q", 2, new byte[18 * 3], 48, 2));
        assertField(bad, "q", () -> GgufFile.open(bad));
    }
}
