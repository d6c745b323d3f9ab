package dev.gemma4j;

/**
 * Lets another thread stop a generation. The generation loop checks it before every decode step, so a
 * cancelled generation returns within one step, with {@link FinishReason#CANCELLED} and the text so far.
 */
public final class CancellationToken {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
