package dev.gemma4j;

/** Why a generation ended. */
public enum FinishReason {
    /** A stop token was generated ({@code <eos>}, {@code <end_of_turn>} or one the caller added). */
    EOS,
    /** A stop string appeared in the text (it is not part of the returned text). */
    STOP,
    /** The token limit, or the end of the context, was reached. */
    LENGTH,
    /** A {@link CancellationToken} was cancelled. */
    CANCELLED;

    /** The lower-case name used in JSON output ("eos", "stop", "length", "cancelled"). */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
