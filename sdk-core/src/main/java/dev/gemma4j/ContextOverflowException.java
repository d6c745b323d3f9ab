package dev.gemma4j;

/** A prompt (plus what a session already holds) does not fit in the model's context window. */
public class ContextOverflowException extends GemmaException {
    private final int requested;
    private final int capacity;

    public ContextOverflowException(int requested, int capacity) {
        super("prompt needs " + requested + " tokens of context but the context holds " + capacity
                + " (raise gemma.context, up to the model's max_position_embeddings, or shorten the prompt)");
        this.requested = requested;
        this.capacity = capacity;
    }

    public int requested() {
        return requested;
    }

    public int capacity() {
        return capacity;
    }
}
