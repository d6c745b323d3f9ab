package dev.gemma4j.spi;

import dev.gemma4j.GemmaOptions;
import java.util.Optional;

/**
 * An engine implementation, found with {@link java.util.ServiceLoader}. Register it in
 * {@code META-INF/services/dev.gemma4j.spi.EngineProvider}.
 */
public interface EngineProvider {

    /** The name users select it by ({@code gemma.engine}). */
    String name();

    /** {@code gemma.engine=auto} picks the usable provider with the highest priority. */
    int priority();

    /** Empty when the engine can run here with these options, else a sentence saying why not. */
    Optional<String> unavailableReason(GemmaOptions options);

    /** Prepares the weights for this engine. The engine must not close the checkpoint's weight store. */
    Engine load(Checkpoint checkpoint, GemmaOptions options);
}
