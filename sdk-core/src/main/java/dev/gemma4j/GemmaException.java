package dev.gemma4j;

/** Base of every error gemma4j reports; unchecked so that embedding code is not forced into try blocks. */
public class GemmaException extends RuntimeException {
    public GemmaException(String message) {
        super(message);
    }

    public GemmaException(String message, Throwable cause) {
        super(message, cause);
    }
}
