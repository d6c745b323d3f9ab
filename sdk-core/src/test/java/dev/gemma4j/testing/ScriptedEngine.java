package dev.gemma4j.testing;

import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.spi.EngineSession;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * An engine session whose "model" is a function from the last token to the next one: the logits put
 * 10 on {@code next(last)} and 0 elsewhere. Records every forward call so tests can see what was computed.
 */
public final class ScriptedEngine implements EngineSession {
    /** One forward call: the tokens and the position of the first. */
    public record Call(int[] tokens, int startPos) {
    }

    private final int vocab;
    private final IntUnaryOperator next;
    private final KvLayout layout;
    public final List<Call> calls = new ArrayList<>();
    public volatile Runnable onForward = () -> { };

    public ScriptedEngine(int vocab, KvLayout layout, IntUnaryOperator next) {
        this.vocab = vocab;
        this.layout = layout;
        this.next = next;
    }

    @Override
    public void forward(int[] tokens, int startPos, float[] logits, boolean allPositions) {
        if (tokens.length > layout.maxChunk() || startPos + tokens.length > layout.context()) {
            throw new IllegalArgumentException("chunk out of bounds");
        }
        calls.add(new Call(tokens.clone(), startPos));
        onForward.run();
        java.util.Arrays.fill(logits, 0, vocab, 0f);
        logits[next.applyAsInt(tokens[tokens.length - 1])] = 10f;
    }

    /** Tokens computed over all calls. */
    public int computed() {
        return calls.stream().mapToInt(c -> c.tokens().length).sum();
    }

    @Override
    public void close() {
    }
}
