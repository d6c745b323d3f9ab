package dev.gemma4j.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks the heap-based selection against a plain full sort on a Gemma-sized vocabulary, where a bug in the
 * partial ordering would show up as a different surviving set.
 */
class CandidatesTest {
    private static final int VOCAB = 262_144;

    @ParameterizedTest(name = "T={0} top_k={1} top_p={2} min_p={3}")
    @CsvSource({
            "1.0, 64, 1.0, 0.0",
            "1.0, 0, 0.95, 0.0",
            "0.7, 64, 0.95, 0.0",
            "1.5, 0, 0.9, 0.05",
            "1.0, 0, 1.0, 0.1",
            "0.3, 1000, 0.99, 0.01",
            "1.0, 300000, 1.0, 0.0"})
    void matchesFullSortReference(float temperature, int topK, float topP, float minP) {
        float[] logits = new float[VOCAB];
        SplittableRandom random = new SplittableRandom(99);
        for (int i = 0; i < VOCAB; i++) {
            // Mostly noise plus a few strong tokens, like a language model's output.
            logits[i] = (float) (random.nextDouble() * 4 + (i % 997 == 0 ? 8 : 0));
        }
        logits[5] = Float.NEGATIVE_INFINITY;
        SamplingParams params = SamplingParams.builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .seed(1L).build();
        double[] actual = Sampler.create(params, VOCAB, new int[0]).distribution(logits);
        double[] expected = reference(logits, temperature, topK, topP, minP);
        assertArrayEquals(expected, actual, 1e-9);
        assertTrue(actual[5] == 0);
    }

    /** The chain done the obvious way: weights as the sampler computes them, then one full sort. */
    private static double[] reference(float[] logits, float temperature, int topK, float topP, float minP) {
        double max = IntStream.range(0, VOCAB).mapToDouble(i -> logits[i]).max().orElseThrow();
        float[] w = new float[VOCAB];
        double total = 0;
        for (int i = 0; i < VOCAB; i++) {
            w[i] = (float) Math.exp((logits[i] - max) / temperature);
            total += w[i];
        }
        // Positive floats order like their bit patterns: sorting (~bits, id) ascending is weight desc, id asc.
        long[] sorted = IntStream.range(0, VOCAB).filter(i -> w[i] > 0)
                .mapToLong(i -> ((long) ~Float.floatToIntBits(w[i]) << 32) | i).sorted().toArray();
        int[] order = Arrays.stream(sorted).mapToInt(key -> (int) key).toArray();
        int k = topK > 0 ? Math.min(topK, order.length) : order.length;
        if (topK > 0) {
            total = 0;
            for (int r = 0; r < k; r++) {
                total += w[order[r]];
            }
        }
        int kept = 0;
        double mass = 0;
        while (kept < k && mass < topP * total && w[order[kept]] >= minP) {
            mass += w[order[kept++]];
        }
        double[] p = new double[VOCAB];
        double keptMass = 0;
        for (int r = 0; r < kept; r++) {
            keptMass += w[order[r]];
        }
        for (int r = 0; r < kept; r++) {
            p[order[r]] = w[order[r]] / keptMass;
        }
        return p;
    }
}
