package dev.gemma4j;

/**
 * Wall-clock time of one generation.
 *
 * @param prefillNanos  computing the prompt tokens that were not cached
 * @param prefillTokens how many prompt tokens were computed
 * @param decodeNanos   computing one token at a time after the prompt
 * @param decodeTokens  how many such steps ran
 */
public record Timings(long prefillNanos, int prefillTokens, long decodeNanos, int decodeTokens) {

    public double prefillMillis() {
        return prefillNanos / 1e6;
    }

    public double decodeMillis() {
        return decodeNanos / 1e6;
    }

    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : prefillTokens * 1e9 / prefillNanos;
    }

    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : decodeTokens * 1e9 / decodeNanos;
    }
}
