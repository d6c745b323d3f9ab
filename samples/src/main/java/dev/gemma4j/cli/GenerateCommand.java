package dev.gemma4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.StepLogits;
import dev.gemma4j.Timings;
import dev.gemma4j.TokenLogit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemma4j generate}: one completion of a text, token-id or chat prompt. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {"Generates a completion of a prompt.",
                "Text output streams the generated text to stdout and a summary to stderr; JSON output prints "
                        + "one object with the ids, text, finish reason, per-step top logits, usage and timings."})
public final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@code --format} accepts. */
    enum Format {
        TEXT,
        JSON
    }

    /** Exactly one prompt source. */
    static final class Prompt {
        @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT",
                description = "Prompt text, encoded with <bos> in front.")
        String text;

        @Option(names = "--prompt-ids", required = true, paramLabel = "ID,ID,...",
                description = "Prompt as comma-separated token ids, used exactly as given (include <bos> = 2 "
                        + "yourself).")
        String ids;

        @Option(names = "--messages", required = true, paramLabel = "FILE",
                description = "JSON file with an array of {\"role\", \"content\"} messages, rendered with the "
                        + "model's chat template and a generation prompt.")
        Path messages;
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    @Option(names = "--top-logits", paramLabel = "K", defaultValue = "0",
            description = "Record the K highest raw logits of every step (JSON output; default: 0).")
    int topLogits;

    @Option(names = "--no-default-stops",
            description = "Do not stop at <eos> / <end_of_turn> (generate exactly --max-tokens tokens).")
    boolean noDefaultStops;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output: text or json (default: text).")
    Format format;

    @Override
    public Integer call() {
        // Everything that can be checked without the model is checked first, so mistakes fail fast.
        GenerationOptions options = sampling.builder()
                .topLogits(topLogits)
                .defaultStopTokens(!noDefaultStops)
                .build();
        int[] ids = prompt.ids == null ? null : parseIds(prompt.ids);
        List<ChatMessage> messages = prompt.messages == null ? null : readMessages(prompt.messages);

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (GemmaModel model = modelOptions.load()) {
            if (format == Format.JSON) {
                GenerationResult r = run(model, options, ids, messages, null);
                out.println(toJson(model, r));
                out.flush();
            } else {
                Consumer<String> onText = piece -> {
                    out.print(piece);
                    out.flush();
                };
                GenerationResult r = run(model, options, ids, messages, onText);
                out.println();
                out.flush();
                err.println(summary(r));
                err.flush();
            }
        }
        return 0;
    }

    private GenerationResult run(GemmaModel model, GenerationOptions options, int[] ids, List<ChatMessage> messages,
            Consumer<String> onText) {
        if (messages != null) {
            return onText == null ? model.chat(messages, options) : model.chat(messages, options, onText);
        }
        if (ids != null) {
            return onText == null ? model.generate(ids, options) : model.stream(ids, options, onText);
        }
        return onText == null ? model.generate(prompt.text, options) : model.stream(prompt.text, options, onText);
    }

    private String toJson(GemmaModel model, GenerationResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("engine", model.engineName());
        root.put("model", modelOptions.path().toString());
        ArrayNode promptIds = root.putArray("prompt_ids");
        for (int id : r.promptIds()) {
            promptIds.add(id);
        }
        ArrayNode tokens = root.putArray("tokens");
        for (int id : r.tokens()) {
            tokens.add(id);
        }
        root.put("text", r.text());
        root.put("finish_reason", r.finishReason().wireName());
        ArrayNode steps = root.putArray("steps");
        for (StepLogits step : r.steps()) {
            ObjectNode s = steps.addObject();
            s.put("token", step.token());
            ArrayNode top = s.putArray("top");
            for (TokenLogit t : step.top()) {
                top.addObject().put("id", t.id()).put("logit", t.logit());
            }
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", r.usage().promptTokens());
        usage.put("completion_tokens", r.usage().completionTokens());
        Timings t = r.timings();
        ObjectNode timings = root.putObject("timings");
        timings.put("load_ms", model.loadMillis());
        timings.put("prefill_ms", t.prefillMillis());
        timings.put("decode_ms", t.decodeMillis());
        timings.put("prefill_tokens_per_s", t.prefillTokensPerSecond());
        timings.put("decode_tokens_per_s", t.decodeTokensPerSecond());
        try {
            return JSON.writeValueAsString(root);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write the JSON output", e);
        }
    }

    static String summary(GenerationResult r) {
        Timings t = r.timings();
        return String.format(Locale.ROOT,
                "[%d tokens, finish: %s; prefill %d tokens at %.1f tokens/s, decode %d tokens at %.1f tokens/s]",
                r.usage().completionTokens(), r.finishReason().wireName(),
                t.prefillTokens(), t.prefillTokensPerSecond(), t.decodeTokens(), t.decodeTokensPerSecond());
    }

    /** {@code 2,651,6037} (spaces allowed) to ids; a malformed list is a usage error. */
    private int[] parseIds(String text) {
        String[] parts = text.trim().split("[,\\s]+");
        List<Integer> ids = new ArrayList<>();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                int id = Integer.parseInt(part);
                if (id < 0) {
                    throw new NumberFormatException();
                }
                ids.add(id);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '--prompt-ids': '" + part + "' is not a token id "
                                + "(expected comma-separated non-negative integers such as 2,651,6037)");
            }
        }
        if (ids.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--prompt-ids': no token ids given");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Reads a {@code [{"role": ..., "content": ...}, ...]} file; problems name the file and the entry. */
    static List<ChatMessage> readMessages(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--messages file " + file + " does not exist");
        } catch (JacksonException e) {
            throw new IllegalArgumentException("--messages file " + file + " is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --messages file " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("--messages file " + file
                    + " must hold a non-empty JSON array of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode m = root.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (!m.isObject() || role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw new IllegalArgumentException("--messages file " + file + ": entry " + i
                        + " must be an object with string fields \"role\" and \"content\"");
            }
            messages.add(new ChatMessage(role.asText(), content.asText()));
        }
        return messages;
    }
}
