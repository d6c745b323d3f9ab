package dev.gemma4j.cli;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gemma4j tokenize}: prints the token ids of a text as a JSON array. Only the model's tokenizer is
 * loaded (no weights, no engine), so this is quick even for large models.
 */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Prints the token ids of a text as a JSON array (with <bos> first unless --no-bos).")
public final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH",
            description = "Model directory (only its tokenizer.json is read).")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text to encode.")
    String text;

    @Option(names = "--no-bos", description = "Do not put <bos> in front.")
    boolean noBos;

    @Override
    public Integer call() {
        if (!Files.isDirectory(model)) {
            throw new ModelFormatException(model, "path",
                    Files.exists(model) ? "not a model directory" : "does not exist");
        }
        int[] ids;
        try (GemmaTokenizer tokenizer = GemmaTokenizer.load(model)) {
            ids = tokenizer.encode(text, !noBos);
        }
        String json = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        spec.commandLine().getOut().println(json);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
