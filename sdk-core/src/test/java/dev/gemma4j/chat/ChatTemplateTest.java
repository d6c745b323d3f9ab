package dev.gemma4j.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.ModelFormatException;
import dev.gemma4j.testing.Fixtures;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import dev.gemma4j.tokenizer.TestTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ChatTemplateTest {

    private static ChatTemplate template(String model) {
        return ChatTemplate.load(Fixtures.model(model), TestTokenizers.get(model));
    }

    private static List<ChatMessage> messages(JsonNode conversation) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : conversation.get("messages")) {
            messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return messages;
    }

    private static JsonNode conversations(String model) {
        JsonNode golden = TestTokenizers.golden(model, "chat.json");
        assertEquals(8, golden.get("conversations").size());
        return golden.get("conversations");
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void rendersEveryGoldenConversationLikeTheModelsTemplate(String model) {
        ChatTemplate template = template(model);
        GemmaTokenizer tokenizer = TestTokenizers.get(model);
        assertTrue(template.fromModel());
        for (JsonNode c : conversations(model)) {
            String name = model + "/" + c.get("name").asText();
            boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
            if (c.get("rendered").isNull()) {
                ChatTemplateException e = assertThrows(ChatTemplateException.class,
                        () -> template.render(messages(c), generationPrompt, SystemPromptPolicy.TEMPLATE), name);
                assertEquals(c.get("error").asText(), e.templateMessage(), name);
                assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
            } else {
                String rendered = template.render(messages(c), generationPrompt, SystemPromptPolicy.TEMPLATE);
                assertEquals(c.get("rendered").asText(), rendered, name);
                assertArrayEquals(TestTokenizers.ints(c.get("ids")), tokenizer.encode(rendered, false), name);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void foldPolicyMatchesFoldedGoldenAndGemma3sOwnFolding(String model) {
        ChatTemplate template = template(model);
        GemmaTokenizer tokenizer = TestTokenizers.get(model);
        int systemCases = 0;
        for (JsonNode c : conversations(model)) {
            if (!c.get("messages").get(0).get("role").asText().equals("system")) {
                continue;
            }
            systemCases++;
            String name = model + "/" + c.get("name").asText();
            // Gemma 1/2 goldens carry the folded rendering; Gemma 3's template folds by itself.
            JsonNode expected = c.has("rendered_system_folded") ? c.get("rendered_system_folded") : c.get("rendered");
            JsonNode expectedIds = c.has("ids_system_folded") ? c.get("ids_system_folded") : c.get("ids");
            String rendered = template.render(messages(c), c.get("add_generation_prompt").asBoolean(),
                    SystemPromptPolicy.FOLD);
            assertEquals(expected.asText(), rendered, name);
            assertArrayEquals(TestTokenizers.ints(expectedIds), tokenizer.encode(rendered, false), name);
        }
        assertEquals(2, systemCases);
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void builtinTemplateMatchesTheGoldens(String model) {
        ChatTemplate builtin = ChatTemplate.builtin("<bos>");
        assertFalse(builtin.fromModel());
        for (JsonNode c : conversations(model)) {
            String name = model + "/" + c.get("name").asText();
            boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
            JsonNode expected = c.has("rendered_system_folded") ? c.get("rendered_system_folded") : c.get("rendered");
            for (SystemPromptPolicy policy : SystemPromptPolicy.values()) {
                if (expected.isNull()) {
                    ChatTemplateException e = assertThrows(ChatTemplateException.class,
                            () -> builtin.render(messages(c), generationPrompt, policy), name);
                    assertEquals(c.get("error").asText(), e.templateMessage(), name);
                } else {
                    assertEquals(expected.asText(), builtin.render(messages(c), generationPrompt, policy), name);
                }
            }
        }
    }

    @Test
    void roleAlternationErrorIsRaisedWithTheTemplatesText() {
        ChatTemplate template = template("tiny-gemma3");
        List<ChatMessage> messages = List.of(ChatMessage.user("a"), ChatMessage.assistant("b"),
                ChatMessage.assistant("c"));
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> template.render(messages, true, SystemPromptPolicy.FOLD));
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.templateMessage());
        assertTrue(e.getMessage().contains(Fixtures.model("tiny-gemma3").resolve("tokenizer_config.json").toString()),
                e.getMessage());
    }

    @Test
    void gemma2RejectsASystemRoleUnlessFolded() {
        ChatTemplate template = template("tiny-gemma2");
        List<ChatMessage> messages = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> template.render(messages, true, SystemPromptPolicy.TEMPLATE));
        assertEquals("System role not supported", e.templateMessage());
        assertEquals("<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n",
                template.render(messages, true, SystemPromptPolicy.FOLD));
    }

    @Test
    void foldWithoutAFollowingUserMessageMakesTheSystemTextAUserTurn() {
        ChatTemplate template = template("tiny-gemma");
        assertEquals("<bos><start_of_turn>user\nRules.<end_of_turn>\n<start_of_turn>model\n",
                template.render(List.of(ChatMessage.system("Rules.")), true, SystemPromptPolicy.FOLD));
    }

    @Test
    void messageTextIsNeverInterpretedAsTemplateCode() {
        String content = "{{ raise_exception('boom') }} {% if true %}x{% endif %} {# c #}";
        for (String model : Fixtures.MODELS) {
            assertEquals("<bos><start_of_turn>user\n" + content + "<end_of_turn>\n",
                    template(model).render(List.of(ChatMessage.user(content)), false, SystemPromptPolicy.TEMPLATE));
        }
    }

    @Test
    void trimFollowsPythonStrip() {
        // Python strips no-break and ideographic spaces but keeps control characters such as U+0001.
        String content = "\u00a0\u3000 \u0001hi\u0001 \u2028";
        assertEquals("<bos><start_of_turn>user\n\u0001hi\u0001<end_of_turn>\n",
                template("tiny-gemma3").render(List.of(ChatMessage.user(content)), false, SystemPromptPolicy.TEMPLATE));
    }

    @Test
    void emptyConversationIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> template("tiny-gemma").render(List.of(), true, SystemPromptPolicy.TEMPLATE));
    }

    @Test
    void templateSyntaxErrorNamesTheSourceFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": \"{% for m in messages %}{{ m['content'] }}\"}");
        ChatTemplate template = ChatTemplate.load(dir, TestTokenizers.get("tiny-gemma"));
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> template.render(List.of(ChatMessage.user("x")), false, SystemPromptPolicy.TEMPLATE));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer_config.json").toString()), e.getMessage());
    }

    @Test
    void unknownFiltersAndTestsAreErrorsNotSilentlyEmpty(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer_config.json");
        GemmaTokenizer tokenizer = TestTokenizers.get("tiny-gemma");
        List<ChatMessage> messages = List.of(ChatMessage.user("x"));
        Files.writeString(file, "{\"chat_template\": \"{{ messages[0]['content'] | no_such_filter }}\"}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.load(dir, tokenizer).render(messages, false, SystemPromptPolicy.TEMPLATE));
        assertEquals("no filter named 'no_such_filter'", e.templateMessage());
        Files.writeString(file, "{\"chat_template\": \"{% if messages is not callable %}x{% endif %}\"}");
        e = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.load(dir, tokenizer).render(messages, false, SystemPromptPolicy.TEMPLATE));
        assertEquals("no test named 'callable'", e.templateMessage());
        // '|' and 'is' inside string literals, comments and raw blocks are text, not filters or tests.
        Files.writeString(file, """
                {"chat_template": "{# a | b #}{% raw %}{{ c | d }}{% endraw %}{{ '<|im_start|>' + \\"it is odd\\" | upper }}"}""");
        assertEquals("{{ c | d }}<|im_start|>IT IS ODD",
                ChatTemplate.load(dir, tokenizer).render(messages, false, SystemPromptPolicy.TEMPLATE));
    }

    @Test
    void malformedTokenizerConfigNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer_config.json");
        Files.writeString(file, "{\"chat_template\": \"{{ bos_token }}\",");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ChatTemplate.load(dir, TestTokenizers.get("tiny-gemma")));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    @Test
    void wrongFieldTypesAreFormatErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer_config.json");
        GemmaTokenizer tokenizer = TestTokenizers.get("tiny-gemma");
        Files.writeString(file, "{\"chat_template\": 42}");
        assertEquals("chat_template", assertThrows(ModelFormatException.class,
                () -> ChatTemplate.load(dir, tokenizer)).field());
        Files.writeString(file, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}]}");
        assertEquals("chat_template", assertThrows(ModelFormatException.class,
                () -> ChatTemplate.load(dir, tokenizer)).field());
        Files.writeString(file, "{\"bos_token\": 7}");
        assertEquals("bos_token", assertThrows(ModelFormatException.class,
                () -> ChatTemplate.load(dir, tokenizer)).field());
    }

    @Test
    void namedTemplateListAndTokenObjectsAreRead(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<B>", "special": true}, "eos_token": {"content": "<E>"},
                 "chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}"}]}""");
        ChatTemplate template = ChatTemplate.load(dir, TestTokenizers.get("tiny-gemma"));
        assertTrue(template.fromModel());
        assertEquals("<B>hi<E>", template.render(List.of(ChatMessage.user("hi")), false, SystemPromptPolicy.TEMPLATE));
    }

    @Test
    void missingConfigOrTemplateFallsBackToTheBuiltinFormat(@TempDir Path dir) throws IOException {
        GemmaTokenizer tokenizer = TestTokenizers.get("tiny-gemma3");
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello"));
        String expected = "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
                + "<start_of_turn>model\n";
        ChatTemplate noFile = ChatTemplate.load(dir, tokenizer);
        assertFalse(noFile.fromModel());
        assertEquals(expected, noFile.render(messages, true, SystemPromptPolicy.TEMPLATE));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<bos>\"}");
        ChatTemplate noTemplate = ChatTemplate.load(dir, tokenizer);
        assertFalse(noTemplate.fromModel());
        assertEquals(expected, noTemplate.render(messages, true, SystemPromptPolicy.TEMPLATE));
    }
}
