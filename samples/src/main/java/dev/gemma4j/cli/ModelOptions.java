package dev.gemma4j.cli;

import dev.gemma4j.GemmaModel;
import dev.gemma4j.GemmaOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options every command that runs a model shares: which model, which engine, threads and context. Options not
 * given here fall back to system properties and the environment, as {@link GemmaOptions} does.
 */
public final class ModelOptions {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH",
            description = "Model directory in Hugging Face layout (config.json, *.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "Engine: native, pytorch, onnx or auto (default: gemma.engine / GEMMA_ENGINE, else auto).")
    String engine;

    @Option(names = "--threads", paramLabel = "N",
            description = "Compute threads (default: gemma.threads / GEMMA_THREADS, else all processors).")
    Integer threads;

    @Option(names = "--context", paramLabel = "N",
            description = "Tokens of context (default: gemma.context / GEMMA_CONTEXT, else min(model maximum, 8192)).")
    Integer context;

    /** The load options: what was given here, the rest from system properties and the environment. */
    public GemmaOptions gemmaOptions() {
        GemmaOptions.Builder b = GemmaOptions.builder();
        if (engine != null) {
            b.engine(engine);
        }
        if (threads != null) {
            b.threads(threads);
        }
        if (context != null) {
            b.context(context);
        }
        return b.build();
    }

    /** Loads the model with {@link #gemmaOptions()}. */
    public GemmaModel load() {
        GemmaOptions options = gemmaOptions();
        return GemmaModel.load(model, options);
    }

    /** The model path as given on the command line. */
    public Path path() {
        return model;
    }
}
