package dev.gemma4j;

import java.util.List;
import java.util.function.Consumer;

/**
 * A multi-turn conversation that keeps its KV cache between turns: each new turn computes only the tokens
 * that the cache does not already hold. Calls on one session are serialised; use one session per
 * conversation, and as many sessions as you like on one model.
 */
public interface ChatSession extends AutoCloseable {

    /**
     * Sends a user message and returns the model's reply; both join the history. If the turn fails (a
     * template error, a context overflow), the history is left as it was, so the turn can be retried.
     */
    GenerationResult send(String userMessage, GenerationOptions options);

    /** As {@link #send(String, GenerationOptions)}, streaming the reply's text pieces to {@code onText}. */
    GenerationResult send(String userMessage, GenerationOptions options, Consumer<String> onText);

    /** Sets (or with null, removes) the system prompt; it applies from the next turn on. */
    void system(String systemPrompt);

    /** Forgets the history (the system prompt stays) and empties the KV cache. */
    void reset();

    /** The system prompt (if any) and every user and assistant turn so far. */
    List<ChatMessage> history();

    /** Tokens the session's KV cache holds now. */
    int cachedTokens();

    @Override
    void close();
}
