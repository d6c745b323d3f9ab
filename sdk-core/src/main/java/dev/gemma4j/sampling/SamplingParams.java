package dev.gemma4j.sampling;

import java.util.Map;

/**
 * How a {@link Sampler} turns logits into a token. Immutable and validated on construction, so a bad value
 * fails where the request is built, not halfway through a generation. Every knob has an "off" value, and the
 * builder starts with all of them off at temperature 0, i.e. greedy decoding; {@link #GREEDY} is exactly that.
 * Error messages use the snake_case names of the Hugging Face / OpenAI APIs these semantics come from.
 *
 * @param temperature       {@code >= 0}; 0 means greedy (argmax)
 * @param topK              keep the {@code topK} most likely tokens; 0 = off
 * @param topP              keep the smallest set of most likely tokens whose mass reaches it, in (0, 1]; 1 = off
 * @param minP              keep tokens with {@code p >= minP * pmax}, in [0, 1); 0 = off
 * @param repetitionPenalty {@code > 0}, 1 = off; Hugging Face/CTRL: over prompt and generated tokens a positive
 *                          logit is divided by it, a negative one multiplied
 * @param presencePenalty   in [-2, 2], OpenAI: subtracted once from each token generated so far
 * @param frequencyPenalty  in [-2, 2], OpenAI: subtracted once per time a token was generated so far
 * @param logitBias         token id to a value in [-100, 100] added to its logit (ids are checked against the
 *                          vocabulary when a sampler is created, since the vocabulary is unknown here)
 * @param seed              seed of the random generator; null = a random seed chosen per sampler
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        Map<Integer, Float> logitBias,
        Long seed) {

    public static final SamplingParams GREEDY = builder().build();

    public SamplingParams {
        require("temperature", temperature, temperature >= 0, "finite and >= 0");
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be 0 (off) or >= 1, got " + topK);
        }
        require("top_p", topP, topP > 0 && topP <= 1, "in (0, 1]");
        require("min_p", minP, minP >= 0 && minP < 1, "in [0, 1)");
        require("repetition_penalty", repetitionPenalty, repetitionPenalty > 0, "finite and > 0");
        require("presence_penalty", presencePenalty, presencePenalty >= -2 && presencePenalty <= 2, "in [-2, 2]");
        require("frequency_penalty", frequencyPenalty, frequencyPenalty >= -2 && frequencyPenalty <= 2,
                "in [-2, 2]");
        logitBias = validBias(logitBias);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .minP(minP)
                .repetitionPenalty(repetitionPenalty)
                .presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty)
                .logitBias(logitBias)
                .seed(seed);
    }

    /** NaN fails every range comparison, so only infinities need the explicit finiteness check. */
    private static void require(String name, float value, boolean inRange, String range) {
        if (!inRange || !Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be " + range + ", got " + value);
        }
    }

    private static Map<Integer, Float> validBias(Map<Integer, Float> bias) {
        if (bias == null) {
            throw new IllegalArgumentException("logit_bias must not be null (use an empty map)");
        }
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            Integer id = e.getKey();
            if (id == null || id < 0) {
                throw new IllegalArgumentException("logit_bias token id must be >= 0, got " + id);
            }
            Float value = e.getValue();
            if (value == null || !(value >= -100 && value <= 100)) {
                throw new IllegalArgumentException(
                        "logit_bias for token " + id + " must be in [-100, 100], got " + value);
            }
        }
        return Map.copyOf(bias);
    }

    /** Starts greedy with every filter and penalty off; validation happens in {@link #build()}. */
    public static final class Builder {
        private float temperature;
        private int topK;
        private float topP = 1f;
        private float minP;
        private float repetitionPenalty = 1f;
        private float presencePenalty;
        private float frequencyPenalty;
        private Map<Integer, Float> logitBias = Map.of();
        private Long seed;

        private Builder() {
        }

        public Builder temperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(float topP) {
            this.topP = topP;
            return this;
        }

        public Builder minP(float minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(float repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder presencePenalty(float presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder frequencyPenalty(float frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder logitBias(Map<Integer, Float> logitBias) {
            this.logitBias = logitBias;
            return this;
        }

        /** Null picks a random seed per sampler. */
        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, logitBias, seed);
        }
    }
}
