package dev.gemma4j.config;

/** The Gemma generation a checkpoint belongs to; decides block structure, softcaps and q/k norms. */
public enum GemmaFamily {
    GEMMA1,
    GEMMA2,
    GEMMA3
}
