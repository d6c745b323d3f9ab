package dev.gemma4j.spi;

import dev.gemma4j.kv.KvLayout;

/** A loaded model in one engine. Thread-safe: sessions on many threads share it. */
public interface Engine extends AutoCloseable {

    String name();

    /** A new, empty KV storage shaped by {@code layout}, for one sequence. */
    EngineSession newSession(KvLayout layout);

    /** Bytes of weights the engine reads per decoded token (for bandwidth figures). */
    long weightBytes();

    @Override
    void close();
}
