package dev.gemma4j.spi;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.weights.WeightStore;
import java.nio.file.Path;

/** What an engine loads from: the validated config and the mapped weights of one model. */
public record Checkpoint(Path location, GemmaConfig config, WeightStore weights) {
}
