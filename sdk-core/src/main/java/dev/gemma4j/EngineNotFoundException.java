package dev.gemma4j;

/** The requested engine is not on the classpath, or cannot run here. */
public class EngineNotFoundException extends GemmaException {
    public EngineNotFoundException(String message) {
        super(message);
    }
}
