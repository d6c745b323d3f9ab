package dev.gemma4j.gguf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.weights.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A GGUF (version 2 or 3) file, memory-mapped on a shared arena and never copied onto the heap.
 *
 * <p>Layout, all little-endian: magic {@code "GGUF"}, u32 version, u64 tensor count, u64 metadata count;
 * the metadata (key string, u32 value type, value); the tensor infos (name string, u32 n_dims, u64 dims
 * innermost first, u32 ggml type, u64 offset into the data section); padding to {@code general.alignment}
 * (default 32); the data section. A string is a u64 byte length and UTF-8 bytes; an array is a u32
 * element type, a u64 length and the elements.
 *
 * <p>{@link #open} checks every count, length, dimension and offset against the file size before it
 * reads or allocates anything sized by it, so a corrupt or hostile header is a {@link ModelFormatException}
 * naming the header field, metadata key or tensor, never an out-of-bounds read or a huge allocation.
 * Metadata values are not decoded up front: the index keeps where each value lies in the mapping, and the
 * accessors decode on demand (the 256k-entry tokenizer arrays are only walked once, to find their end).
 * Thread-safe; after {@link #close()} reads fail with {@link IllegalStateException}.
 */
public final class GgufFile implements AutoCloseable {
    /** The bytes "GGUF" read as a little-endian u32. */
    private static final int MAGIC = 0x46554747;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 8;
    /** Smallest metadata entry: empty key (8), type (4), one-byte value (1). */
    private static final long MIN_KV_BYTES = 8 + 4 + 1;
    /** Smallest tensor info: empty name (8), n_dims (4), one dim (8), type (4), offset (8). */
    private static final long MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
    /** Keys and tensor names are short; a longer one is corruption, not a name to allocate for. */
    static final int MAX_NAME_BYTES = 65_536;
    private static final int MAX_DIMS = 4;
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Where one metadata value lies. {@code pos}: the value's first byte (for a string its bytes, after
     * the length; for an array its first element); {@code count}: string byte length, array length, or 1;
     * {@code bytes}: the bytes from {@code pos} to the end of the value.
     */
    private record Entry(GgufValueType type, GgufValueType elementType, long pos, long count, long bytes) {
    }

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final Map<String, Entry> metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GgufFile(Path path, Arena arena, MemorySegment mapped, int version, int alignment, long dataOffset,
            Map<String, Entry> metadata, List<GgufTensorInfo> tensors) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = Collections.unmodifiableMap(byName);
    }

    /** Maps and validates {@code file}; the caller owns the result and must close it. */
    public static GgufFile open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                // The mapping outlives the channel; the arena decides when it is unmapped.
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            } catch (IOException e) {
                throw new ModelFormatException(file, "file", "cannot map: " + e, e);
            }
            return new Parser(file, mapped).parse(arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The element type of a ggml type id, or empty when this reader does not support it. */
    public static Optional<DType> dtypeOf(int ggmlType) {
        return Optional.ofNullable(switch (ggmlType) {
            case 0 -> DType.F32;
            case 1 -> DType.F16;
            case 2 -> DType.Q4_0;
            case 8 -> DType.Q8_0;
            case 12 -> DType.Q4_K;
            case 14 -> DType.Q6_K;
            case 30 -> DType.BF16;
            default -> null;
        });
    }

    /** ggml's name of a type id this reader does not support, for error messages. */
    private static String ggmlTypeName(long id) {
        return switch ((int) Math.min(id, Integer.MAX_VALUE)) {
            case 3 -> "Q4_1";
            case 6 -> "Q5_0";
            case 7 -> "Q5_1";
            case 9 -> "Q8_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K";
            case 13 -> "Q5_K";
            case 15 -> "Q8_K";
            case 16, 17, 18, 19, 20, 21, 22, 23, 29 -> "an IQ type";
            case 24 -> "I8";
            case 25 -> "I16";
            case 26 -> "I32";
            case 27 -> "I64";
            case 28 -> "F64";
            default -> "not a known ggml type";
        };
    }

    public Path path() {
        return path;
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    /** {@code general.alignment}, or 32. */
    public int alignment() {
        return alignment;
    }

    /** File offset of the data section (tensor offsets are relative to it). */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapped.byteSize();
    }

    // ---------------------------------------------------------------- metadata

    /** Every metadata key, in file order. */
    public Set<String> keys() {
        return metadata.keySet();
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** The value type of {@code key}, if present. */
    public Optional<GgufValueType> type(String key) {
        return Optional.ofNullable(metadata.get(key)).map(Entry::type);
    }

    /** The element type of the array {@code key}; a {@link ModelFormatException} when it is not an array. */
    public Optional<GgufValueType> arrayType(String key) {
        Entry e = metadata.get(key);
        if (e == null) {
            return Optional.empty();
        }
        requireArray(key, e);
        return Optional.of(e.elementType());
    }

    /** Elements of the array {@code key}, without decoding them. */
    public OptionalLong arrayLength(String key) {
        Entry e = metadata.get(key);
        if (e == null) {
            return OptionalLong.empty();
        }
        requireArray(key, e);
        return OptionalLong.of(e.count());
    }

    public Optional<String> string(String key) {
        Entry e = metadata.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.type() != GgufValueType.STRING) {
            throw typeError(key, e, "a string");
        }
        return Optional.of(decode(e.pos(), e.count()));
    }

    /** Any integer type (u8 .. i64); a u64 above {@link Long#MAX_VALUE} is an error. */
    public OptionalLong integer(String key) {
        Entry e = metadata.get(key);
        if (e == null) {
            return OptionalLong.empty();
        }
        if (!e.type().isInteger()) {
            throw typeError(key, e, "an integer");
        }
        long v = readInteger(e.type(), e.pos());
        if (e.type() == GgufValueType.UINT64 && v < 0) {
            throw new ModelFormatException(path, key, Long.toUnsignedString(v) + " does not fit a signed 64-bit integer");
        }
        return OptionalLong.of(v);
    }

    /** Any numeric type, integer or floating point, as a double (exact for f32). */
    public OptionalDouble number(String key) {
        Entry e = metadata.get(key);
        if (e == null) {
            return OptionalDouble.empty();
        }
        return switch (e.type()) {
            case FLOAT32 -> OptionalDouble.of(mapped.get(F32, e.pos()));
            case FLOAT64 -> OptionalDouble.of(mapped.get(F64, e.pos()));
            case UINT64 -> {
                long v = mapped.get(I64, e.pos());
                yield OptionalDouble.of(v >= 0 ? v : Double.parseDouble(Long.toUnsignedString(v)));
            }
            default -> {
                if (!e.type().isInteger()) {
                    throw typeError(key, e, "a number");
                }
                yield OptionalDouble.of(readInteger(e.type(), e.pos()));
            }
        };
    }

    public Optional<Boolean> bool(String key) {
        Entry e = metadata.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.type() != GgufValueType.BOOL) {
            throw typeError(key, e, "a bool");
        }
        return Optional.of(mapped.get(JAVA_BYTE, e.pos()) != 0);
    }

    /** The string array {@code key}, decoded; a {@link ModelFormatException} when absent or of another type. */
    public String[] stringArray(String key) {
        Entry e = requireArrayOf(key, "strings", t -> t == GgufValueType.STRING);
        String[] out = new String[(int) e.count()];
        if (e.bytes() > Integer.MAX_VALUE - 8) {
            long p = e.pos();
            for (int i = 0; i < out.length; i++) {
                long len = mapped.get(I64, p); // validated by open()
                out[i] = decode(p + 8, len);
                p += 8 + len;
            }
            return out;
        }
        // One copy of the whole array, then each string from it: much faster than a slice per string.
        byte[] raw = mapped.asSlice(e.pos(), e.bytes()).toArray(JAVA_BYTE);
        java.nio.ByteBuffer lengths = java.nio.ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int p = 0;
        for (int i = 0; i < out.length; i++) {
            int len = (int) lengths.getLong(p); // validated by open(): within the value's bytes
            out[i] = new String(raw, p + 8, len, StandardCharsets.UTF_8);
            p += 8 + len;
        }
        return out;
    }

    /** The float array {@code key} (f32; f64 is narrowed). */
    public float[] floatArray(String key) {
        Entry e = requireArrayOf(key, "floats", GgufValueType::isFloat);
        float[] out = new float[(int) e.count()];
        if (e.elementType() == GgufValueType.FLOAT32) {
            MemorySegment.copy(mapped, F32, e.pos(), out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) mapped.get(F64, e.pos() + 8L * i);
            }
        }
        return out;
    }

    /** The integer array {@code key}, of any integer element type whose values fit an int. */
    public int[] intArray(String key) {
        Entry e = requireArrayOf(key, "integers", GgufValueType::isInteger);
        int[] out = new int[(int) e.count()];
        GgufValueType t = e.elementType();
        if (t == GgufValueType.INT32) {
            MemorySegment.copy(mapped, I32, e.pos(), out, 0, out.length);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            long v = readInteger(t, e.pos() + (long) t.size() * i);
            // u8..i32 always fit; u32 above 2^31-1, and 64-bit values outside the int range, do not
            // (a u64 of 2^63 or more reads as negative and is rejected by the first test).
            boolean fits = t == GgufValueType.UINT64 ? v >= 0 && v <= Integer.MAX_VALUE
                    : v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            if (!fits) {
                throw new ModelFormatException(path, key, "element " + i + " ("
                        + (t == GgufValueType.INT64 ? Long.toString(v) : Long.toUnsignedString(v)) + ") does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private Entry requireArrayOf(String key, String what, java.util.function.Predicate<GgufValueType> ok) {
        Entry e = metadata.get(key);
        if (e == null) {
            throw new ModelFormatException(path, key, "is missing");
        }
        requireArray(key, e);
        if (!ok.test(e.elementType())) {
            throw new ModelFormatException(path, key, "is an array of " + e.elementType() + ", expected an array of " + what);
        }
        if (e.count() > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(path, key, "has " + e.count() + " elements, too many for a Java array");
        }
        return e;
    }

    private void requireArray(String key, Entry e) {
        if (e.type() != GgufValueType.ARRAY) {
            throw typeError(key, e, "an array");
        }
    }

    private ModelFormatException typeError(String key, Entry e, String expected) {
        String actual = e.type() == GgufValueType.ARRAY ? "an array of " + e.elementType() : "a " + e.type();
        return new ModelFormatException(path, key, "is " + actual + ", expected " + expected);
    }

    private long readInteger(GgufValueType t, long pos) {
        return switch (t) {
            case UINT8 -> Byte.toUnsignedLong(mapped.get(JAVA_BYTE, pos));
            case INT8 -> mapped.get(JAVA_BYTE, pos);
            case UINT16 -> Short.toUnsignedLong(mapped.get(I16, pos));
            case INT16 -> mapped.get(I16, pos);
            case UINT32 -> Integer.toUnsignedLong(mapped.get(I32, pos));
            case INT32 -> mapped.get(I32, pos);
            case UINT64, INT64 -> mapped.get(I64, pos);
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
    }

    private String decode(long pos, long len) {
        if (len > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(path, "string at offset " + pos, len + " bytes is too long for a Java string");
        }
        return new String(mapped.asSlice(pos, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- tensors

    /** The tensor table, in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** A tensor by its GGUF name. */
    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /** The tensor's bytes: a read-only slice of the mapping, exactly {@code info.byteSize()} long. */
    public MemorySegment data(GgufTensorInfo info) {
        if (!info.equals(tensorsByName.get(info.name()))) {
            throw new IllegalArgumentException(info.name() + " is not a tensor of " + path);
        }
        return mapped.asSlice(dataOffset + info.offset(), info.byteSize()).asReadOnly();
    }

    /** Unmaps the file; safe to call more than once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + path + " (" + metadata.size() + " keys, " + tensors.size() + " tensors)";
    }

    // ---------------------------------------------------------------- parsing

    /** A single forward pass over the header; every read is bounds-checked first. */
    private static final class Parser {
        private final Path file;
        private final MemorySegment seg;
        private final long size;
        private long pos;

        Parser(Path file, MemorySegment seg) {
            this.file = file;
            this.seg = seg;
            this.size = seg.byteSize();
        }

        GgufFile parse(Arena arena) {
            if (size < 4) {
                throw error("magic", "the file has " + size + " bytes, too short for a GGUF header");
            }
            int magic = seg.get(I32, 0);
            if (magic != MAGIC) {
                throw error("magic", String.format("expected \"GGUF\" (47 47 55 46), found %02x %02x %02x %02x",
                        seg.get(JAVA_BYTE, 0), seg.get(JAVA_BYTE, 1), seg.get(JAVA_BYTE, 2), seg.get(JAVA_BYTE, 3)));
            }
            pos = 4;
            int version = (int) u32("version");
            if (version != 2 && version != 3) {
                int swapped = Integer.reverseBytes(version);
                throw error("version", (swapped == 2 || swapped == 3)
                        ? "the file is big-endian GGUF (version " + swapped + "), only little-endian is supported"
                        : "GGUF version " + Integer.toUnsignedString(version) + " is not supported (2 or 3 is)");
            }
            long tensorCount = u64("tensor_count");
            long kvCount = u64("metadata_kv_count");
            long rest = size - HEADER_BYTES;
            if (tensorCount < 0 || tensorCount > rest / MIN_TENSOR_INFO_BYTES) {
                throw error("tensor_count", Long.toUnsignedString(tensorCount) + " tensor infos cannot fit in the "
                        + rest + " bytes after the header");
            }
            if (kvCount < 0 || kvCount > (rest - tensorCount * MIN_TENSOR_INFO_BYTES) / MIN_KV_BYTES) {
                throw error("metadata_kv_count", Long.toUnsignedString(kvCount) + " metadata entries (and "
                        + tensorCount + " tensor infos) cannot fit in the " + rest + " bytes after the header");
            }

            Map<String, Entry> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = name("metadata[" + i + "].key");
                if (metadata.containsKey(key)) {
                    throw error(key, "duplicate metadata key (entry " + i + ")");
                }
                long typeId = u32(key);
                GgufValueType type = GgufValueType.byId(typeId);
                if (type == null) {
                    throw error(key, "unknown metadata value type " + typeId);
                }
                metadata.put(key, value(key, type));
            }

            int alignment = alignment(metadata);

            List<GgufTensorInfo> tensors = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                tensors.add(tensorInfo(i, alignment, seen));
            }
            long dataOffset = alignUp(pos, alignment);
            checkExtents(tensors, dataOffset);
            return new GgufFile(file, arena, seg, version, alignment, dataOffset, metadata, tensors);
        }

        private Entry value(String key, GgufValueType type) {
            switch (type) {
                case STRING -> {
                    long len = stringLength(key);
                    Entry e = new Entry(type, null, pos, len, len);
                    pos += len;
                    return e;
                }
                case ARRAY -> {
                    long elemId = u32(key);
                    GgufValueType elem = GgufValueType.byId(elemId);
                    if (elem == null) {
                        throw error(key, "array of unknown element type " + elemId);
                    }
                    if (elem == GgufValueType.ARRAY) {
                        throw error(key, "nested arrays are not supported");
                    }
                    long count = u64(key);
                    long start = pos;
                    if (elem == GgufValueType.STRING) {
                        // Each string takes at least its 8-byte length.
                        if (count < 0 || count > remaining() / 8) {
                            throw error(key, "array length " + Long.toUnsignedString(count)
                                    + " of strings cannot fit in the " + remaining() + " bytes left in the file");
                        }
                        for (long j = 0; j < count; j++) {
                            long len = stringLength(key); // advances pos past the length first
                            pos += len;
                        }
                    } else {
                        if (count < 0 || count > remaining() / elem.size()) {
                            throw error(key, "array length " + Long.toUnsignedString(count) + " of " + elem
                                    + " cannot fit in the " + remaining() + " bytes left in the file");
                        }
                        pos += count * elem.size();
                    }
                    return new Entry(type, elem, start, count, pos - start);
                }
                default -> {
                    need(type.size(), key);
                    if (type == GgufValueType.BOOL) {
                        byte b = seg.get(JAVA_BYTE, pos);
                        if (b != 0 && b != 1) {
                            throw error(key, "bool value is " + (b & 0xff) + ", expected 0 or 1");
                        }
                    }
                    Entry e = new Entry(type, null, pos, 1, type.size());
                    pos += type.size();
                    return e;
                }
            }
        }

        private int alignment(Map<String, Entry> metadata) {
            Entry e = metadata.get(ALIGNMENT_KEY);
            if (e == null) {
                return DEFAULT_ALIGNMENT;
            }
            if (!e.type().isInteger()) {
                throw error(ALIGNMENT_KEY, "is a " + e.type() + ", expected an integer");
            }
            long v = switch (e.type()) {
                case UINT8 -> Byte.toUnsignedLong(seg.get(JAVA_BYTE, e.pos()));
                case INT8 -> seg.get(JAVA_BYTE, e.pos());
                case UINT16 -> Short.toUnsignedLong(seg.get(I16, e.pos()));
                case INT16 -> seg.get(I16, e.pos());
                case UINT32 -> Integer.toUnsignedLong(seg.get(I32, e.pos()));
                case INT32 -> seg.get(I32, e.pos());
                default -> seg.get(I64, e.pos());
            };
            if (v <= 0 || v > (1 << 30) || Long.bitCount(v) != 1) {
                throw error(ALIGNMENT_KEY, Long.toUnsignedString(v) + " is not a power of two (up to 2^30)");
            }
            return (int) v;
        }

        private GgufTensorInfo tensorInfo(long i, int alignment, Map<String, Integer> seen) {
            String name = name("tensor_infos[" + i + "].name");
            if (seen.putIfAbsent(name, (int) i) != null) {
                throw error(name, "duplicate tensor name (tensor infos " + seen.get(name) + " and " + i + ")");
            }
            long nDims = u32(name);
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw error(name, "n_dims is " + nDims + ", expected 1 to " + MAX_DIMS);
            }
            long[] dims = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < dims.length; d++) {
                dims[d] = u64(name);
                if (dims[d] <= 0) {
                    throw error(name, "dimension " + d + " is " + Long.toUnsignedString(dims[d]) + ", expected at least 1");
                }
                try {
                    elements = Math.multiplyExact(elements, dims[d]);
                } catch (ArithmeticException overflow) {
                    throw error(name, "the element count of dimensions " + java.util.Arrays.toString(dims)
                            + " overflows a 64-bit integer");
                }
            }
            long typeId = u32(name);
            DType type = typeId > Integer.MAX_VALUE ? null : dtypeOf((int) typeId).orElse(null);
            if (type == null) {
                throw error(name, "unsupported tensor type " + Long.toUnsignedString(typeId) + " (" + ggmlTypeName(typeId)
                        + "; supported: F32=0, F16=1, Q4_0=2, Q8_0=8, Q4_K=12, Q6_K=14, BF16=30)");
            }
            if (dims[0] % type.blockSize() != 0) {
                throw error(name, "row length " + dims[0] + " is not a multiple of the " + type + " block size "
                        + type.blockSize());
            }
            long byteSize;
            try {
                byteSize = type.byteSize(elements);
            } catch (ArithmeticException overflow) {
                throw error(name, elements + " elements of " + type + " overflow a 64-bit byte size");
            }
            long offset = u64(name);
            if (offset < 0 || offset % alignment != 0) {
                throw error(name, "data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment "
                        + alignment);
            }
            return new GgufTensorInfo(name, type, (int) typeId, dims, offset, byteSize);
        }

        /** Every tensor inside the file, and no two sharing a byte. */
        private void checkExtents(List<GgufTensorInfo> tensors, long dataOffset) {
            long dataBytes = size - dataOffset; // may be negative when the header fills the file
            for (GgufTensorInfo t : tensors) {
                if (dataBytes < 0 || t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                    throw error(t.name(), t.byteSize() + " bytes at data offset " + t.offset() + " (file offset "
                            + (dataOffset + t.offset()) + ") extend past the end of the file (" + size + " bytes)");
                }
            }
            List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
            byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
            for (int i = 1; i < byOffset.size(); i++) {
                GgufTensorInfo prev = byOffset.get(i - 1);
                GgufTensorInfo cur = byOffset.get(i);
                if (prev.offset() + prev.byteSize() > cur.offset()) {
                    throw error(cur.name(), "data at offset " + cur.offset() + " overlaps " + prev.name() + " (bytes "
                            + prev.offset() + " to " + (prev.offset() + prev.byteSize()) + ")");
                }
            }
        }

        /** A key or tensor name: a non-empty string of at most MAX_NAME_BYTES bytes, decoded. */
        private String name(String field) {
            long len = stringLength(field);
            if (len == 0) {
                throw error(field, "is empty");
            }
            if (len > MAX_NAME_BYTES) {
                throw error(field, "name length " + len + " exceeds " + MAX_NAME_BYTES + " bytes");
            }
            String s = new String(seg.asSlice(pos, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        /** Reads a string's u64 length and checks that the bytes are in the file; pos is left at the bytes. */
        private long stringLength(String field) {
            long len = u64(field);
            if (len < 0 || len > remaining()) {
                throw error(field, "string length " + Long.toUnsignedString(len) + " at offset " + (pos - 8)
                        + " runs past the end of the file (" + remaining() + " bytes left)");
            }
            return len;
        }

        private long u32(String field) {
            need(4, field);
            long v = Integer.toUnsignedLong(seg.get(I32, pos));
            pos += 4;
            return v;
        }

        /** A u64; values of 2^63 and above come back negative, and every caller rejects them. */
        private long u64(String field) {
            need(8, field);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        private void need(long n, String field) {
            if (n > remaining()) {
                throw error(field, "needs " + n + " bytes at offset " + pos + " but the file ends at " + size);
            }
        }

        private long remaining() {
            return size - pos;
        }

        private static long alignUp(long p, int alignment) {
            return (p + alignment - 1) / alignment * alignment;
        }

        private ModelFormatException error(String field, String problem) {
            return new ModelFormatException(file, field, problem);
        }
    }
}
