package dev.gemma4j.sampling;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks the next token from one step's logits. Steps, in this fixed order:
 * <ol>
 *   <li>logit bias (added);</li>
 *   <li>repetition penalty over prompt and generated tokens (positive logits divided, negative multiplied);</li>
 *   <li>presence and frequency penalties over generated tokens
 *       ({@code logit -= presence * (count > 0) + frequency * count});</li>
 *   <li>if temperature is 0: argmax, ties to the lowest id, and stop here;</li>
 *   <li>temperature ({@code logit / T});</li>
 *   <li>top-k;</li>
 *   <li>softmax;</li>
 *   <li>top-p;</li>
 *   <li>min-p;</li>
 *   <li>renormalize over the survivors and draw one.</li>
 * </ol>
 * Penalties come first so that the filters see the logits the user asked for; the filters then only ever
 * shrink the candidate set. Tokens whose logit is -infinity are never chosen.
 *
 * <p>The random generator is L64X128MixRandom, a fully specified algorithm, so a given seed reproduces the
 * same tokens on every JVM. Buffers sized for the vocabulary are allocated once here and reused by every
 * step. Not thread-safe: use one sampler per generation.
 */
public final class Sampler {
    private static final RandomGeneratorFactory<RandomGenerator> RANDOM =
            RandomGeneratorFactory.of("L64X128MixRandom");

    private final SamplingParams params;
    private final long seed;
    private final RandomGenerator random;
    private final int[] biasIds;
    private final float[] biasValues;
    /** Prompt plus generated tokens: what the repetition penalty covers. */
    private final TokenCounts context;
    /** Generated tokens only: what presence and frequency penalties cover. */
    private final TokenCounts generated;
    /** The caller's logits are copied here and penalized, then replaced by softmax weights. */
    private final float[] scratch;
    private final Candidates candidates;

    private Sampler(SamplingParams params, int vocabSize, long seed) {
        this.params = params;
        this.seed = seed;
        this.random = RANDOM.create(seed);
        this.context = new TokenCounts(vocabSize);
        this.generated = new TokenCounts(vocabSize);
        this.scratch = new float[vocabSize];
        this.candidates = new Candidates(vocabSize);
        int n = params.logitBias().size();
        this.biasIds = new int[n];
        this.biasValues = new float[n];
        int i = 0;
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
            biasIds[i] = checkId("logit_bias token id", e.getKey(), vocabSize);
            biasValues[i++] = e.getValue();
        }
    }

    /**
     * @param vocabSize length of every logits array this sampler will receive
     * @param promptIds the prompt, for the repetition penalty
     * @throws IllegalArgumentException if a logit-bias or prompt id is outside {@code [0, vocabSize)}
     */
    public static Sampler create(SamplingParams params, int vocabSize, int[] promptIds) {
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        if (promptIds == null) {
            throw new IllegalArgumentException("promptIds must not be null (use an empty array)");
        }
        long seed = params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong();
        Sampler sampler = new Sampler(params, vocabSize, seed);
        for (int id : promptIds) {
            sampler.context.add(checkId("prompt token id", id, vocabSize));
        }
        return sampler;
    }

    /** The seed in use: the requested one, or the one picked at creation, so a run can be reproduced. */
    public long seed() {
        return seed;
    }

    /**
     * Chooses the next token. {@code logits} is read, never modified.
     *
     * @throws IllegalArgumentException if the length is not the vocabulary size, or a logit is NaN or +infinity
     * @throws IllegalStateException    if every logit is -infinity after the logit bias
     */
    public int sample(float[] logits) {
        select(logits);
        int n = candidates.size();
        if (n == 1) {
            return candidates.id(0);
        }
        double r = random.nextDouble() * candidateMass();
        double acc = 0;
        for (int i = 0; i < n - 1; i++) {
            int id = candidates.id(i);
            acc += scratch[id];
            if (r < acc) {
                return id;
            }
        }
        // Also reached when rounding leaves r at the total mass.
        return candidates.id(n - 1);
    }

    /** Records a generated token for the penalties; call it for every token kept in the output. */
    public void accept(int tokenId) {
        checkId("token id", tokenId, scratch.length);
        context.add(tokenId);
        generated.add(tokenId);
    }

    /** Steps 1-3 only; for tests. Returns a copy. */
    float[] adjustedLogits(float[] logits) {
        adjust(logits);
        return scratch.clone();
    }

    /** The final distribution {@link #sample} draws from; for tests. */
    double[] distribution(float[] logits) {
        select(logits);
        double total = candidateMass();
        double[] p = new double[scratch.length];
        for (int i = 0; i < candidates.size(); i++) {
            int id = candidates.id(i);
            p[id] = scratch[id] / total;
        }
        return p;
    }

    /** Leaves the survivors in {@link #candidates} and their unnormalized probabilities in {@link #scratch}. */
    private void select(float[] logits) {
        adjust(logits);
        int best = argmax();
        float max = scratch[best];
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every logit is -Infinity; no token can be sampled");
        }
        float temperature = params.temperature();
        if (temperature == 0f) {
            candidates.single(best);
            scratch[best] = 1f; // its weight, as the draw and distribution() read weights
            return;
        }
        candidates.select(scratch, max, temperature, params.topK(), params.topP(), params.minP());
    }

    private double candidateMass() {
        double total = 0;
        for (int i = 0; i < candidates.size(); i++) {
            total += scratch[candidates.id(i)];
        }
        return total;
    }

    /** Copies {@code logits} to the scratch buffer and applies logit bias and penalties there. */
    private void adjust(float[] logits) {
        if (logits.length != scratch.length) {
            throw new IllegalArgumentException(
                    "expected " + scratch.length + " logits (the vocabulary size), got " + logits.length);
        }
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            // One comparison rejects both NaN and +infinity, which would poison the softmax.
            if (!(v < Float.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("logit of token " + i + " is " + v
                        + "; logits must be finite or -Infinity");
            }
            scratch[i] = v;
        }
        for (int i = 0; i < biasIds.length; i++) {
            scratch[biasIds[i]] += biasValues[i];
        }
        float repetition = params.repetitionPenalty();
        if (repetition != 1f) {
            for (int i = 0; i < context.distinctCount(); i++) {
                int id = context.distinctId(i);
                float v = scratch[id];
                scratch[id] = v > 0 ? v / repetition : v * repetition;
            }
        }
        float presence = params.presencePenalty();
        float frequency = params.frequencyPenalty();
        if (presence != 0f || frequency != 0f) {
            for (int i = 0; i < generated.distinctCount(); i++) {
                int id = generated.distinctId(i);
                scratch[id] -= presence + frequency * generated.count(id);
            }
        }
    }

    /** Strict {@code >} keeps the first, i.e. lowest, id among equal maxima. */
    private int argmax() {
        int best = 0;
        for (int i = 1; i < scratch.length; i++) {
            if (scratch[i] > scratch[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int checkId(String what, int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(
                    what + " " + id + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        return id;
    }
}
