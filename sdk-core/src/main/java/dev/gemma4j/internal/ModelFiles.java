package dev.gemma4j.internal;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.chat.ChatTemplate;
import dev.gemma4j.config.ConfigLoader;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.gguf.GgufConfig;
import dev.gemma4j.gguf.GgufFile;
import dev.gemma4j.gguf.GgufStore;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import dev.gemma4j.tokenizer.HfGemmaTokenizer;
import dev.gemma4j.tokenizer.SentencePieceTokenizer;
import dev.gemma4j.weights.SafetensorsStore;
import dev.gemma4j.weights.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything a model is made of besides the engine, opened from either layout: a Hugging Face directory
 * (config.json, safetensors, tokenizer.json, tokenizer_config.json) or a GGUF file, which carries its
 * config, vocabulary and chat template in its metadata. A directory with no config.json and exactly one
 * .gguf file is taken as that file.
 */
record ModelFiles(Path location, GemmaConfig config, WeightStore weights, GemmaTokenizer tokenizer,
        ChatTemplate template) implements AutoCloseable {

    static ModelFiles open(Path path) {
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "path", "does not exist");
        }
        Path gguf = ggufFile(path);
        return gguf != null ? openGguf(gguf) : openHuggingFace(path);
    }

    private static Path ggufFile(Path path) {
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".gguf")) {
                return path;
            }
            throw new ModelFormatException(path, "path",
                    "not a model: give a Hugging Face model directory or a .gguf file");
        }
        if (Files.exists(path.resolve("config.json"))) {
            return null;
        }
        try (Stream<Path> files = Files.list(path)) {
            List<Path> ggufs = files.filter(f -> f.getFileName().toString().endsWith(".gguf")).toList();
            if (ggufs.size() == 1) {
                return ggufs.getFirst();
            }
            if (ggufs.size() > 1) {
                throw new ModelFormatException(path, "path", "holds several .gguf files " + ggufs.stream()
                        .map(p -> p.getFileName().toString()).toList() + "; give the one to load");
            }
        } catch (IOException e) {
            throw new ModelFormatException(path, "path", "cannot list the directory: " + e.getMessage(), e);
        }
        return null;
    }

    private static ModelFiles openHuggingFace(Path dir) {
        GemmaConfig config = ConfigLoader.load(dir.resolve("config.json"));
        WeightStore weights = SafetensorsStore.open(dir);
        GemmaTokenizer tokenizer = null;
        try {
            tokenizer = HfGemmaTokenizer.load(dir);
            return new ModelFiles(dir, config, weights, tokenizer, ChatTemplate.load(dir, tokenizer));
        } catch (RuntimeException | Error e) {
            closeAll(e, tokenizer, weights);
            throw e;
        }
    }

    private static ModelFiles openGguf(Path file) {
        GgufStore store = GgufStore.open(file);
        try {
            GgufFile gguf = store.file();
            GemmaConfig config = GgufConfig.load(gguf);
            SentencePieceTokenizer tokenizer = SentencePieceTokenizer.fromGguf(gguf);
            ChatTemplate template = ChatTemplate.fromTemplate(gguf.string("tokenizer.chat_template").orElse(null),
                    tokenizer.token(tokenizer.bosId()), tokenizer.token(tokenizer.eosId()), file);
            return new ModelFiles(file, config, store, tokenizer, template);
        } catch (RuntimeException | Error e) {
            closeAll(e, store);
            throw e;
        }
    }

    static void closeAll(Throwable primary, AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    primary.addSuppressed(e);
                }
            }
        }
    }

    @Override
    public void close() {
        try (weights; tokenizer) {
            // closes the tokenizer, then the mapped weights
        }
    }
}
