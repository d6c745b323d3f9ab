package dev.gemma4j.nativeengine;

import dev.gemma4j.GemmaOptions;
import dev.gemma4j.spi.Checkpoint;
import dev.gemma4j.spi.Engine;
import dev.gemma4j.spi.EngineProvider;
import java.lang.foreign.Arena;
import java.util.Optional;

/** Registers the pure-Java engine as {@code gemma.engine=native}. */
public final class NativeEngineProvider implements EngineProvider {
    static final String NAME = "native";

    @Override
    public String name() {
        return NAME;
    }

    /** Below engines that can use a GPU, so {@code auto} prefers those where one is present. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Optional<String> unavailableReason(GemmaOptions options) {
        if (options.device() == GemmaOptions.Device.GPU) {
            return Optional.of("the native engine runs on the CPU only (gemma.device=gpu was asked for)");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Optional.of("the JDK Vector API is not enabled: add the JVM flag "
                    + "--add-modules jdk.incubator.vector");
        }
        return Optional.empty();
    }

    @Override
    public Engine load(Checkpoint checkpoint, GemmaOptions options) {
        Parallel parallel = new Parallel(options.threads());
        // Holds weights quantized at load time (gemma.quantize); everything else stays in the mapped file.
        Arena arena = Arena.ofShared();
        try {
            ModelWeights weights = ModelWeights.load(checkpoint.weights(), checkpoint.config(),
                    options.quantize(), arena, parallel);
            return new NativeEngine(checkpoint.config(), weights, parallel, arena);
        } catch (RuntimeException | Error e) {
            parallel.close();
            arena.close();
            throw e;
        }
    }
}
