package dev.gemma4j.chat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.ModelFormatException;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a conversation into the prompt text a Gemma model was trained on, by rendering the model's own
 * Jinja {@code chat_template} from {@code tokenizer_config.json} (or a built-in Gemma turn format when the
 * model has none). The output starts with the {@code <bos>} text, so encode it without adding another.
 * Immutable and thread-safe.
 */
public final class ChatTemplate {
    /**
     * Gemma's turn format for models without a template: {@code assistant} is rendered as {@code model},
     * contents are trimmed, and a leading system message is folded into the first user turn (as Gemma 3's
     * template does), so both policies give the same result.
     */
    private static final String BUILTIN = """
            {{- bos_token -}}
            {%- set prefix = '' -%}
            {%- set turns = messages -%}
            {%- if messages[0]['role'] == 'system' -%}
                {%- set prefix = messages[0]['content'] + '\\n\\n' -%}
                {%- set turns = messages[1:] -%}
            {%- endif -%}
            {%- for message in turns -%}
                {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
                    {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
                {%- endif -%}
                {{- '<start_of_turn>' + ('model' if message['role'] == 'assistant' else message['role']) + '\\n' -}}
                {{- (prefix if loop.first else '') + (message['content'] | trim) + '<end_of_turn>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<start_of_turn>model\\n' -}}
            {%- endif -%}
            """;
    private static final String BUILTIN_SOURCE = "built-in Gemma template";

    private final String template;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean fromModel;
    /** Why the template cannot render faithfully (an unknown filter or test), or null. */
    private final String unsupported;

    private ChatTemplate(String template, String source, String bosToken, String eosToken, boolean fromModel) {
        this.template = template;
        this.unsupported = TemplateCheck.unknownName(template, JinjaEnvironment.JINJAVA.getGlobalContext())
                .orElse(null);
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.fromModel = fromModel;
    }

    /**
     * The template of {@code modelDir/tokenizer_config.json}; the built-in one when that file or its
     * {@code chat_template} is absent. Special-token texts come from the same file, else from the tokenizer.
     */
    public static ChatTemplate load(Path modelDir, GemmaTokenizer tokenizer) {
        Path file = modelDir.resolve("tokenizer_config.json");
        String bos = tokenizer.token(tokenizer.bosId());
        String eos = tokenizer.token(tokenizer.eosId());
        if (!Files.exists(file)) {
            return new ChatTemplate(BUILTIN, BUILTIN_SOURCE, bos, eos, false);
        }
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "json", "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "file", "cannot read: " + e, e);
        }
        if (config == null || !config.isObject()) {
            throw new ModelFormatException(file, "json", "expected a JSON object");
        }
        bos = tokenText(file, config, "bos_token", bos);
        eos = tokenText(file, config, "eos_token", eos);
        String template = templateText(file, config.get("chat_template"));
        return template == null
                ? new ChatTemplate(BUILTIN, BUILTIN_SOURCE, bos, eos, false)
                : new ChatTemplate(template, file.toString(), bos, eos, true);
    }

    /** The built-in Gemma turn format, for models that ship no template (GGUF files without one, say). */
    public static ChatTemplate builtin(String bosToken) {
        return new ChatTemplate(BUILTIN, BUILTIN_SOURCE, bosToken, "<eos>", false);
    }

    /**
     * A template given as text, such as a GGUF file's {@code tokenizer.chat_template}; {@code source} names
     * where it came from in error messages (the GGUF file). A null template gives the built-in one.
     */
    public static ChatTemplate fromTemplate(String template, String bosToken, String eosToken, Path source) {
        if (template == null) {
            return new ChatTemplate(BUILTIN, BUILTIN_SOURCE, bosToken, eosToken, false);
        }
        return new ChatTemplate(template, source == null ? "tokenizer.chat_template" : source.toString(),
                bosToken, eosToken, true);
    }

    /** {@code chat_template} is a string, or (transformers' multi-template form) a list of {name, template}. */
    private static String templateText(Path file, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode entry : node) {
                JsonNode name = entry.get("name");
                JsonNode text = entry.get("template");
                if (name == null || !name.isTextual() || text == null || !text.isTextual()) {
                    throw new ModelFormatException(file, "chat_template",
                            "list entries must be {\"name\": string, \"template\": string}");
                }
                if (name.asText().equals("default")) {
                    return text.asText();
                }
            }
            throw new ModelFormatException(file, "chat_template", "no template named \"default\"");
        }
        throw new ModelFormatException(file, "chat_template", "expected a string or a list, got " + node.getNodeType());
    }

    /** {@code bos_token}/{@code eos_token}: a string or an AddedToken object {content: ...}. */
    private static String tokenText(Path file, JsonNode config, String field, String fallback) {
        JsonNode node = config.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        if (node.isObject() && content != null && content.isTextual()) {
            return content.asText();
        }
        throw new ModelFormatException(file, field, "expected a string or an object with a string \"content\"");
    }

    /** True when the model's own template is used, false for the built-in one. */
    public boolean fromModel() {
        return fromModel;
    }

    /**
     * Renders {@code messages}; with {@code addGenerationPrompt} the text ends with the opening of a model
     * turn. Throws {@link ChatTemplateException} when the template raises (unsupported system role, roles
     * not alternating) or fails.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, SystemPromptPolicy policy) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
        if (unsupported != null) {
            // Reported on render, not on load: a model whose template cannot render still generates.
            throw new ChatTemplateException(source, unsupported);
        }
        List<ChatMessage> effective = policy == SystemPromptPolicy.FOLD ? fold(messages) : messages;
        Map<String, Object> variables = new HashMap<>();
        variables.put("messages", asMaps(effective));
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        variables.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = JinjaEnvironment.JINJAVA.renderForResult(template, variables);
        for (TemplateError error : result.getErrors()) {
            // Jinjava records errors and renders on; Python Jinja stops at the first, so report that one.
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(source, messageOf(error));
            }
        }
        return result.getOutput();
    }

    private static String messageOf(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof JinjaEnvironment.TemplateRaise raise) {
                return raise.getMessage();
            }
        }
        return "line " + error.getLineno() + ": " + error.getMessage();
    }

    /** Folds a leading system message into the user message after it, as {@code system + "\n\n" + user}. */
    private static List<ChatMessage> fold(List<ChatMessage> messages) {
        ChatMessage first = messages.getFirst();
        if (!first.role().equals("system")) {
            return messages;
        }
        List<ChatMessage> folded = new ArrayList<>(messages.subList(1, messages.size()));
        if (!folded.isEmpty() && folded.getFirst().role().equals("user")) {
            folded.set(0, ChatMessage.user(first.content() + "\n\n" + folded.getFirst().content()));
        } else {
            folded.addFirst(ChatMessage.user(first.content()));
        }
        return folded;
    }

    private static List<Map<String, Object>> asMaps(List<ChatMessage> messages) {
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            maps.add(Map.of("role", m.role(), "content", m.content()));
        }
        return maps;
    }
}
