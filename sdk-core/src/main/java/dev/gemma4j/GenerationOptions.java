package dev.gemma4j;

import dev.gemma4j.sampling.SamplingParams;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-request settings: sampling, limits, stops, diagnostics and cancellation. Immutable; build with
 * {@link #builder()}. Sampling values are validated by {@link SamplingParams}; the rest here.
 *
 * @param sampling          temperature, top-k/p, min-p, penalties, logit bias, seed
 * @param maxTokens         most tokens to generate; clamped to what is left of the context
 * @param stopStrings       generation ends when the text contains one (the text is cut before it)
 * @param stopTokens        extra ids that end generation, besides the defaults
 * @param defaultStopTokens whether {@code <eos>} and {@code <end_of_turn>} end generation
 * @param topLogits         record this many top raw logits per generated token (0 = none)
 * @param cancellation      checked before every step; null means not cancellable
 */
public record GenerationOptions(
        SamplingParams sampling,
        int maxTokens,
        List<String> stopStrings,
        Set<Integer> stopTokens,
        boolean defaultStopTokens,
        int topLogits,
        CancellationToken cancellation) {

    public static final int DEFAULT_MAX_TOKENS = 256;

    public GenerationOptions {
        if (sampling == null) {
            throw new IllegalArgumentException("sampling must not be null");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        if (topLogits < 0) {
            throw new IllegalArgumentException("top_logits must be >= 0, got " + topLogits);
        }
        for (String s : stopStrings) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        for (Integer t : stopTokens) {
            if (t == null || t < 0) {
                throw new IllegalArgumentException("stop token ids must be >= 0, got " + t);
            }
        }
        stopStrings = List.copyOf(stopStrings);
        stopTokens = Set.copyOf(stopTokens);
    }

    /** Greedy decoding, 256 tokens, default stops. */
    public static GenerationOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.sampling = sampling.toBuilder();
        b.maxTokens = maxTokens;
        b.stopStrings.addAll(stopStrings);
        b.stopTokens.addAll(stopTokens);
        b.defaultStopTokens = defaultStopTokens;
        b.topLogits = topLogits;
        b.cancellation = cancellation;
        return b;
    }

    public static final class Builder {
        private SamplingParams.Builder sampling = SamplingParams.builder();
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private final List<String> stopStrings = new java.util.ArrayList<>();
        private final Set<Integer> stopTokens = new LinkedHashSet<>();
        private boolean defaultStopTokens = true;
        private int topLogits;
        private CancellationToken cancellation;

        private Builder() {
        }

        public Builder sampling(SamplingParams params) {
            this.sampling = params.toBuilder();
            return this;
        }

        public Builder temperature(double t) {
            sampling.temperature((float) t);
            return this;
        }

        public Builder topK(int k) {
            sampling.topK(k);
            return this;
        }

        public Builder topP(double p) {
            sampling.topP((float) p);
            return this;
        }

        public Builder minP(double p) {
            sampling.minP((float) p);
            return this;
        }

        public Builder repetitionPenalty(double p) {
            sampling.repetitionPenalty((float) p);
            return this;
        }

        public Builder presencePenalty(double p) {
            sampling.presencePenalty((float) p);
            return this;
        }

        public Builder frequencyPenalty(double p) {
            sampling.frequencyPenalty((float) p);
            return this;
        }

        public Builder logitBias(Map<Integer, Float> bias) {
            sampling.logitBias(bias);
            return this;
        }

        public Builder seed(long seed) {
            sampling.seed(seed);
            return this;
        }

        public Builder maxTokens(int n) {
            this.maxTokens = n;
            return this;
        }

        public Builder stop(String... strings) {
            stopStrings.addAll(List.of(strings));
            return this;
        }

        public Builder stopTokens(int... ids) {
            for (int id : ids) {
                stopTokens.add(id);
            }
            return this;
        }

        /** With false, only {@link #stopTokens} end generation (e.g. to reproduce a fixed-length run). */
        public Builder defaultStopTokens(boolean on) {
            this.defaultStopTokens = on;
            return this;
        }

        public Builder topLogits(int k) {
            this.topLogits = k;
            return this;
        }

        public Builder cancellation(CancellationToken token) {
            this.cancellation = token;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(sampling.build(), maxTokens, stopStrings, stopTokens,
                    defaultStopTokens, topLogits, cancellation);
        }
    }
}
