package dev.gemma4j.internal;

import dev.gemma4j.ChatMessage;
import dev.gemma4j.ChatSession;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.kv.SessionCache;
import dev.gemma4j.spi.EngineSession;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Renders the whole conversation every turn and lets the session cache skip the prefix it already holds,
 * so the history is never recomputed, whatever the template does with it.
 */
final class LocalChatSession implements ChatSession {
    private final LocalGemmaModel model;
    private final EngineSession engine;
    private final SessionCache cache;
    private final List<ChatMessage> turns = new ArrayList<>();
    private String system;
    private boolean closed;

    LocalChatSession(LocalGemmaModel model, EngineSession engine, SessionCache cache) {
        this.model = model;
        this.engine = engine;
        this.cache = cache;
    }

    @Override
    public GenerationResult send(String userMessage, GenerationOptions options) {
        return send(userMessage, options, null);
    }

    @Override
    public synchronized GenerationResult send(String userMessage, GenerationOptions options, Consumer<String> onText) {
        if (closed) {
            throw new IllegalStateException("the chat session is closed");
        }
        List<ChatMessage> conversation = new ArrayList<>(history());
        conversation.add(ChatMessage.user(userMessage));
        int[] prompt = model.chatPrompt(conversation);
        GenerationResult result = model.run(engine, cache, prompt, options, onText);
        // The history changes only when the turn succeeded, so a failed turn can simply be retried.
        turns.add(ChatMessage.user(userMessage));
        turns.add(ChatMessage.assistant(result.text()));
        return result;
    }

    @Override
    public synchronized void system(String systemPrompt) {
        this.system = systemPrompt;
    }

    @Override
    public synchronized void reset() {
        turns.clear();
        cache.clear();
    }

    @Override
    public synchronized List<ChatMessage> history() {
        List<ChatMessage> all = new ArrayList<>();
        if (system != null) {
            all.add(ChatMessage.system(system));
        }
        all.addAll(turns);
        return List.copyOf(all);
    }

    @Override
    public synchronized int cachedTokens() {
        return cache.length();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            engine.close();
        }
    }
}
