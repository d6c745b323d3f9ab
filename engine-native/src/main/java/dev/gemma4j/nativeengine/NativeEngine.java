package dev.gemma4j.nativeengine;

import dev.gemma4j.config.GemmaConfig;
import java.lang.foreign.Arena;
import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.spi.Engine;
import dev.gemma4j.spi.EngineSession;

/** The pure-Java engine: shared mapped weights and worker pool, one {@link NativeSession} per sequence. */
final class NativeEngine implements Engine {
    private final GemmaConfig config;
    private final ModelWeights weights;
    private final Parallel parallel;
    private final Arena arena;

    /** Takes ownership of the worker pool and of the arena holding load-time quantized weights. */
    NativeEngine(GemmaConfig config, ModelWeights weights, Parallel parallel, Arena arena) {
        this.config = config;
        this.weights = weights;
        this.parallel = parallel;
        this.arena = arena;
    }

    @Override
    public String name() {
        return NativeEngineProvider.NAME;
    }

    @Override
    public EngineSession newSession(KvLayout layout) {
        return new NativeSession(config, weights, parallel, layout);
    }

    @Override
    public long weightBytes() {
        return weights.bytesPerToken();
    }

    @Override
    public void close() {
        parallel.close();
        arena.close();
    }
}
