package dev.gemma4j;

import java.util.List;

/**
 * The highest raw logits of the distribution one generated token was drawn from (before any sampling
 * transform), recorded when {@link GenerationOptions#topLogits()} is positive.
 */
public record StepLogits(int token, List<TokenLogit> top) {
    public StepLogits {
        top = List.copyOf(top);
    }
}
