package dev.gemma4j;

/**
 * Token counts of one generation.
 *
 * @param promptTokens       tokens of the prompt
 * @param cachedPromptTokens prompt tokens served from the session's KV cache (not recomputed)
 * @param completionTokens   tokens generated (including a stop token that ended the generation)
 */
public record Usage(int promptTokens, int cachedPromptTokens, int completionTokens) {
}
