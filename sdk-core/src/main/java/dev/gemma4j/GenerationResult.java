package dev.gemma4j;

import java.util.List;

/**
 * What one generation produced.
 *
 * @param text         the generated text (without a stop token's or stop string's text)
 * @param promptIds    the prompt as token ids
 * @param tokens       the generated ids, including the stop token if one ended the generation
 * @param finishReason why it ended
 * @param usage        token counts
 * @param timings      prefill and decode time
 * @param steps        per generated token, the top raw logits (empty unless requested)
 */
public record GenerationResult(
        String text,
        int[] promptIds,
        int[] tokens,
        FinishReason finishReason,
        Usage usage,
        Timings timings,
        List<StepLogits> steps) {

    public GenerationResult {
        promptIds = promptIds.clone();
        tokens = tokens.clone();
        steps = List.copyOf(steps);
    }

    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
