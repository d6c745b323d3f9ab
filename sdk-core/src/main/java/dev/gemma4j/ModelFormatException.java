package dev.gemma4j;

import java.nio.file.Path;

/**
 * A model file is malformed, truncated, inconsistent or unsupported. The message always names the file
 * and the field (header key, tensor, JSON property) that is wrong.
 */
public class ModelFormatException extends GemmaException {
    private final Path file;
    private final String field;

    public ModelFormatException(Path file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = file;
        this.field = field;
    }

    public ModelFormatException(Path file, String field, String problem, Throwable cause) {
        super(file + ": " + field + ": " + problem, cause);
        this.file = file;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    public String field() {
        return field;
    }
}
