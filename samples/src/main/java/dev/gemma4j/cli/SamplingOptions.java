package dev.gemma4j.cli;

import dev.gemma4j.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Sampling and limit options shared by {@code generate} and {@code chat}. Unset options keep the
 * {@link GenerationOptions} defaults (temperature 0, i.e. greedy decoding, and every filter off); values are
 * validated by {@link GenerationOptions.Builder#build()}, whose errors name the parameter.
 */
public final class SamplingOptions {

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N",
            description = "Most tokens to generate (default: " + GenerationOptions.DEFAULT_MAX_TOKENS + ").")
    Integer maxTokens;

    @Option(names = {"-t", "--temperature"}, paramLabel = "T",
            description = "Sampling temperature; 0 = greedy (default: 0).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 = off (default).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass in (0, 1]; 1 = off (default).")
    Double topP;

    @Option(names = "--min-p", paramLabel = "M",
            description = "Keep tokens with p >= M * max p, in [0, 1); 0 = off (default).")
    Double minP;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "> 0; 1 = off (default).")
    Double repetitionPenalty;

    @Option(names = "--presence-penalty", paramLabel = "P", description = "In [-2, 2]; 0 = off (default).")
    Double presencePenalty;

    @Option(names = "--frequency-penalty", paramLabel = "F", description = "In [-2, 2]; 0 = off (default).")
    Double frequencyPenalty;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: a random one).")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR",
            description = "Stop when the text contains STR (the text is cut before it); repeatable.")
    List<String> stops = new ArrayList<>();

    /** A builder with every option given here applied; the caller may add more before building. */
    public GenerationOptions.Builder builder() {
        GenerationOptions.Builder b = GenerationOptions.builder();
        if (maxTokens != null) {
            b.maxTokens(maxTokens);
        }
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (topK != null) {
            b.topK(topK);
        }
        if (topP != null) {
            b.topP(topP);
        }
        if (minP != null) {
            b.minP(minP);
        }
        if (repetitionPenalty != null) {
            b.repetitionPenalty(repetitionPenalty);
        }
        if (presencePenalty != null) {
            b.presencePenalty(presencePenalty);
        }
        if (frequencyPenalty != null) {
            b.frequencyPenalty(frequencyPenalty);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (!stops.isEmpty()) {
            b.stop(stops.toArray(String[]::new));
        }
        return b;
    }
}
