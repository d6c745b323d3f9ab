package dev.gemma4j.internal;

import dev.gemma4j.CancellationToken;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.ChatSession;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GemmaOptions;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.TokenStream;
import dev.gemma4j.chat.ChatTemplate;
import dev.gemma4j.chat.SystemPromptPolicy;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.generation.Generator;
import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.kv.SessionCache;
import dev.gemma4j.spi.Checkpoint;
import dev.gemma4j.spi.Engine;
import dev.gemma4j.spi.EngineProvider;
import dev.gemma4j.spi.EngineSession;
import dev.gemma4j.spi.Engines;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** A model loaded in this JVM: shared tokenizer, template and engine, one KV storage per generation. */
public final class LocalGemmaModel implements GemmaModel {
    /**
     * Generations hold the read lock; {@link #close()} cancels them through {@link #closing} (they stop
     * within one step) and takes the write lock, so resources are freed only once none is running.
     */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final CancellationToken closing = new CancellationToken();
    private final ModelFiles files;
    private final GemmaConfig config;
    private final GemmaTokenizer tokenizer;
    private final ChatTemplate template;
    private final Engine engine;
    private final KvLayout layout;
    private final Generator generator;
    private final SystemPromptPolicy systemPolicy;
    private final long loadMillis;

    private LocalGemmaModel(ModelFiles files, Engine engine, GemmaOptions options, long loadMillis) {
        this.files = files;
        this.config = files.config();
        this.tokenizer = files.tokenizer();
        this.template = files.template();
        this.engine = engine;
        this.layout = new KvLayout(config, options.context(config.maxPositions()), options.prefillChunk());
        this.generator = new Generator(tokenizer, config.vocabSize(), defaultStops(config, tokenizer), closing);
        this.systemPolicy = options.systemPromptPolicy();
        this.loadMillis = loadMillis;
    }

    public static LocalGemmaModel load(Path path, GemmaOptions options) {
        long t0 = System.nanoTime();
        EngineProvider provider = Engines.select(options);
        ModelFiles files = ModelFiles.open(path);
        Engine engine = null;
        try {
            GemmaConfig config = files.config();
            options.context(config.maxPositions()); // reject a bad gemma.context before loading weights
            engine = provider.load(new Checkpoint(files.location(), config, files.weights()), options);
            return new LocalGemmaModel(files, engine, options, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException | Error e) {
            ModelFiles.closeAll(e, engine, files);
            throw e;
        }
    }

    private static Set<Integer> defaultStops(GemmaConfig config, GemmaTokenizer tokenizer) {
        Set<Integer> stops = new LinkedHashSet<>(config.eosIds());
        stops.add(tokenizer.eosId());
        tokenizer.tokenId("<end_of_turn>").ifPresent(stops::add);
        return stops;
    }

    @Override
    public GenerationResult generate(String prompt, GenerationOptions options) {
        return stream(tokenizer.encode(prompt, true), options, null);
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationOptions options) {
        return stream(promptIds, options, null);
    }

    @Override
    public GenerationResult stream(String prompt, GenerationOptions options, Consumer<String> onText) {
        return stream(tokenizer.encode(prompt, true), options, onText);
    }

    @Override
    public GenerationResult stream(int[] promptIds, GenerationOptions options, Consumer<String> onText) {
        return whileOpen(() -> {
            try (EngineSession session = engine.newSession(layout)) {
                return generator.run(session, new SessionCache(layout), promptIds, options, onText);
            }
        });
    }

    @Override
    public TokenStream stream(String prompt, GenerationOptions options) {
        return stream(tokenizer.encode(prompt, true), options);
    }

    @Override
    public TokenStream stream(int[] ids, GenerationOptions options) {
        CancellationToken cancel = options.cancellation() != null ? options.cancellation() : new CancellationToken();
        GenerationOptions withCancel = options.toBuilder().cancellation(cancel).build();
        return TokenStream.start(cancel, sink -> stream(ids, withCancel, sink));
    }

    @Override
    public GenerationResult chat(List<ChatMessage> messages, GenerationOptions options) {
        return chat(messages, options, null);
    }

    @Override
    public GenerationResult chat(List<ChatMessage> messages, GenerationOptions options, Consumer<String> onText) {
        return stream(chatPrompt(messages), options, onText);
    }

    @Override
    public int[] chatPrompt(List<ChatMessage> messages) {
        String rendered = template.render(messages, true, systemPolicy);
        int[] ids = tokenizer.encode(rendered, false);
        // Templates write <bos> themselves; a template without it still needs exactly one.
        if (ids.length > 0 && ids[0] == config.bosId()) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = config.bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    @Override
    public ChatSession newSession() {
        return whileOpen(() -> new LocalChatSession(this, engine.newSession(layout), new SessionCache(layout)));
    }

    GenerationResult run(EngineSession session, SessionCache cache, int[] prompt, GenerationOptions options,
            Consumer<String> onText) {
        return whileOpen(() -> generator.run(session, cache, prompt, options, onText));
    }

    private <T> T whileOpen(Supplier<T> work) {
        Lock lock = lifecycle.readLock();
        if (closing.isCancelled() || !lock.tryLock()) {
            throw new IllegalStateException("the model " + files.location() + " is closed");
        }
        try {
            if (closing.isCancelled()) {
                throw new IllegalStateException("the model " + files.location() + " is closed");
            }
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public GemmaTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ChatTemplate chatTemplate() {
        return template;
    }

    @Override
    public GemmaConfig config() {
        return config;
    }

    @Override
    public String engineName() {
        return engine.name();
    }

    @Override
    public long weightBytesPerToken() {
        return engine.weightBytes();
    }

    @Override
    public int contextLength() {
        return layout.context();
    }

    @Override
    public long loadMillis() {
        return loadMillis;
    }

    @Override
    public void close() {
        synchronized (closing) {
            if (closing.isCancelled()) {
                return;
            }
            closing.cancel();
        }
        lifecycle.writeLock().lock();
        try (files; engine) {
            // closes in reverse order: the engine, then the tokenizer and the mapped weights it reads
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
