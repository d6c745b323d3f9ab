package dev.gemma4j;

/** One entry of a top-logits list: a token id and its raw logit (after the final softcap). */
public record TokenLogit(int id, float logit) {
}
