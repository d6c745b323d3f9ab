package dev.gemma4j;

import dev.gemma4j.chat.ChatTemplate;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.internal.LocalGemmaModel;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A loaded Gemma model. Thread-safe: one instance serves any number of threads, each generation with its
 * own KV cache. Close it to release the mapped weights and native memory.
 *
 * <pre>{@code
 * try (GemmaModel model = GemmaModel.load(Path.of("gemma-2-2b-it"))) {
 *     System.out.println(model.chat(List.of(ChatMessage.user("Hello!")), GenerationOptions.defaults()).text());
 * }
 * }</pre>
 */
public interface GemmaModel extends AutoCloseable {

    /** Loads with options from system properties and the environment (see {@link GemmaOptions}). */
    static GemmaModel load(Path path) {
        return load(path, GemmaOptions.defaults());
    }

    /**
     * Loads a model with the engine the options select: a directory in Hugging Face layout
     * ({@code config.json}, {@code *.safetensors}, {@code tokenizer.json}, {@code tokenizer_config.json}),
     * or a GGUF file (config, vocabulary and chat template from its metadata).
     */
    static GemmaModel load(Path path, GemmaOptions options) {
        return LocalGemmaModel.load(path, options);
    }

    /** Generates from text; the prompt is encoded with {@code <bos>} in front. */
    GenerationResult generate(String prompt, GenerationOptions options);

    /** Generates from token ids, used exactly as given. */
    GenerationResult generate(int[] promptIds, GenerationOptions options);

    /** Generates from text, sending text pieces to {@code onText} as they become final. */
    GenerationResult stream(String prompt, GenerationOptions options, Consumer<String> onText);

    /** Generates from token ids, sending text pieces to {@code onText} as they become final. */
    GenerationResult stream(int[] promptIds, GenerationOptions options, Consumer<String> onText);

    /** Generates from text as an iterator of text pieces; close it to stop early. */
    TokenStream stream(String prompt, GenerationOptions options);

    /** Generates from token ids as an iterator of text pieces; close it to stop early. */
    TokenStream stream(int[] promptIds, GenerationOptions options);

    /** Replies to a conversation rendered with the model's chat template and a generation prompt. */
    GenerationResult chat(List<ChatMessage> messages, GenerationOptions options);

    /** As {@link #chat(List, GenerationOptions)}, streaming text pieces to {@code onText}. */
    GenerationResult chat(List<ChatMessage> messages, GenerationOptions options, Consumer<String> onText);

    /** The token ids {@link #chat} would use as its prompt. */
    int[] chatPrompt(List<ChatMessage> messages);

    /** A conversation that keeps its KV cache between turns. */
    ChatSession newSession();

    GemmaTokenizer tokenizer();

    ChatTemplate chatTemplate();

    GemmaConfig config();

    /** The engine's name ({@code native}, {@code pytorch}, {@code onnx}). */
    String engineName();

    /** Bytes of weights the engine reads to decode one token (for memory-bandwidth figures). */
    long weightBytesPerToken();

    /** Tokens of context each generation or session can hold. */
    int contextLength();

    /** Milliseconds {@link #load} took. */
    long loadMillis();

    @Override
    void close();
}
