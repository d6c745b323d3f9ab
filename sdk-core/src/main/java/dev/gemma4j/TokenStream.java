package dev.gemma4j;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Generated text as an {@link Iterator} of pieces, produced on a virtual thread so that the caller pulls
 * at its own pace. Closing the stream (or {@link #cancel()}) stops the generation within one step. A
 * failure of the generation is rethrown from {@link #hasNext()}.
 */
public final class TokenStream implements Iterator<String>, AutoCloseable {
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CancellationToken cancellation;
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private Object next;

    /**
     * Starts {@code generation} on a virtual thread.
     *
     * @param cancellation the token {@code generation} checks; {@link #cancel()} and {@link #close()} set it
     * @param generation   runs the generation, sending pieces to the consumer it is given, and returns the
     *                     result
     */
    public static TokenStream start(CancellationToken cancellation,
            Function<Consumer<String>, GenerationResult> generation) {
        return new TokenStream(cancellation, generation);
    }

    private TokenStream(CancellationToken cancellation, Function<Consumer<String>, GenerationResult> generation) {
        this.cancellation = cancellation;
        Thread.ofVirtual().name("gemma4j-stream").start(() -> {
            try {
                result.complete(generation.apply(queue::add));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                queue.add(END);
            }
        });
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new GemmaException("interrupted while waiting for the next token", e);
            }
        }
        if (next == END) {
            result(); // rethrows a failure of the generation
            return false;
        }
        return true;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String piece = (String) next;
        next = null;
        return piece;
    }

    /** Asks the generation to stop; it ends with {@link FinishReason#CANCELLED} within one step. */
    public void cancel() {
        cancellation.cancel();
    }

    /** Waits for the generation to end and returns its result. */
    public GenerationResult result() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GemmaException("interrupted while waiting for the generation", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new GemmaException("generation failed", e.getCause());
        }
    }

    /** Cancels the generation if it is still running and waits for it to end. */
    @Override
    public void close() {
        cancel();
        result.exceptionally(t -> null).join();
    }
}
