package dev.gemma4j.gguf;

/**
 * The types a GGUF metadata value can have, with their on-disk ids. {@code size} is the byte width of a
 * fixed-size value; strings and arrays have none (-1).
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The id the file uses for this type. */
    public int id() {
        return id;
    }

    /** Bytes of one value, or -1 for STRING and ARRAY. */
    public int size() {
        return size;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with this id, or null when the id is not a GGUF type. */
    static GgufValueType byId(long id) {
        // ids are 0..12 and the enum is declared in id order
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
