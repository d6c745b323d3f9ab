package dev.gemma4j.cli;

import static dev.gemma4j.cli.CliTestSupport.csv;
import static dev.gemma4j.cli.CliTestSupport.goldenPrompt;
import static dev.gemma4j.cli.CliTestSupport.ints;
import static dev.gemma4j.cli.CliTestSupport.model;
import static dev.gemma4j.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {

    @Test
    void jsonOutputMatchesTheNumpyGolden() {
        JsonNode golden = goldenPrompt("tiny-gemma2", "ids_short");
        int[] promptIds = ints(golden.get("prompt_ids"));
        int[] expected = ints(golden.get("generated_ids"));
        CliTestSupport.Run r = run("generate", "--model", model("tiny-gemma2"), "--prompt-ids", csv(promptIds),
                "--max-tokens", "24", "--no-default-stops", "--top-logits", "8", "--format", "json");
        assertEquals(0, r.exit(), r::toString);
        JsonNode json = r.json();

        assertEquals(model("tiny-gemma2"), json.get("model").asText());
        assertTrue(json.get("engine").isTextual() && !json.get("engine").asText().isEmpty(), r::toString);
        assertArrayEquals(promptIds, ints(json.get("prompt_ids")));
        assertArrayEquals(expected, ints(json.get("tokens")), r::toString);
        assertEquals("length", json.get("finish_reason").asText());
        assertTrue(json.get("text").isTextual());

        JsonNode steps = json.get("steps");
        assertEquals(24, steps.size());
        for (int s = 0; s < steps.size(); s++) {
            JsonNode step = steps.get(s);
            assertEquals(expected[s], step.get("token").intValue(), "step " + s);
            assertEquals(8, step.get("top").size(), "step " + s);
            JsonNode goldenStep = golden.get("steps").get(s);
            for (int k = 0; k < 8; k++) {
                assertEquals(goldenStep.get("top_logits").get(k).doubleValue(),
                        step.get("top").get(k).get("logit").doubleValue(), 1e-3, "step " + s + " rank " + k);
            }
            assertEquals(goldenStep.get("top_ids").get(0).intValue(), step.get("top").get(0).get("id").intValue());
        }

        JsonNode usage = json.get("usage");
        assertEquals(promptIds.length, usage.get("prompt_tokens").intValue());
        assertEquals(24, usage.get("completion_tokens").intValue());
        JsonNode timings = json.get("timings");
        for (String key : List.of("load_ms", "prefill_ms", "decode_ms", "prefill_tokens_per_s",
                "decode_tokens_per_s")) {
            assertTrue(timings.get(key).isNumber() && timings.get(key).doubleValue() >= 0, key);
        }
        assertTrue(r.out().strip().startsWith("{") && r.out().strip().endsWith("}"), "nothing but JSON on stdout");
    }

    @Test
    void stepsAreEmptyWithoutTopLogits() {
        CliTestSupport.Run r = run("generate", "--model", model("tiny-gemma"), "--prompt-ids", "2,651,6037",
                "--max-tokens", "3", "--no-default-stops", "--format", "json");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(0, r.json().get("steps").size());
        assertEquals(3, r.json().get("tokens").size());
    }

    @Test
    void textOutputStreamsTheSameTextAsJson() {
        JsonNode golden = goldenPrompt("tiny-gemma3", "text_plain");
        String[] common = {"generate", "--model", model("tiny-gemma3"), "--prompt", golden.get("text").asText(),
                "--max-tokens", "12", "--no-default-stops"};
        CliTestSupport.Run json = run(concat(common, "--format", "json"));
        assertEquals(0, json.exit(), json::toString);
        // --prompt is encoded with <bos> in front: the same ids as the golden.
        assertArrayEquals(ints(golden.get("prompt_ids")), ints(json.json().get("prompt_ids")));
        assertArrayEquals(java.util.Arrays.copyOf(ints(golden.get("generated_ids")), 12),
                ints(json.json().get("tokens")));

        CliTestSupport.Run text = run(common);
        assertEquals(0, text.exit(), text::toString);
        assertEquals(json.json().get("text").asText() + System.lineSeparator(), text.out());
        assertTrue(text.err().contains("12 tokens") && text.err().contains("length"), text::toString);
    }

    @Test
    void messagesFileUsesTheChatTemplate(@TempDir Path dir) throws IOException {
        JsonNode golden = goldenPrompt("tiny-gemma3", "text_chat");
        String question = "Why is the sky blue? Answer in one sentence.";
        Path file = dir.resolve("messages.json");
        Files.writeString(file, "[{\"role\": \"user\", \"content\": \"" + question + "\"}]");

        CliTestSupport.Run r = run("generate", "--model", model("tiny-gemma3"), "--messages", file.toString(),
                "--max-tokens", "4", "--format", "json");
        assertEquals(0, r.exit(), r::toString);
        int[] promptIds = ints(r.json().get("prompt_ids"));
        try (GemmaModel m = GemmaModel.load(Fixtures.model("tiny-gemma3"))) {
            assertArrayEquals(m.chatPrompt(List.of(ChatMessage.user(question))), promptIds);
        }
        assertArrayEquals(ints(golden.get("prompt_ids")), promptIds);
    }

    @Test
    void exactlyOnePromptSourceIsAUsageError() {
        CliTestSupport.Run none = run("generate", "--model", model("tiny-gemma"));
        assertEquals(2, none.exit(), none::toString);
        CliTestSupport.Run two = run("generate", "--model", model("tiny-gemma"), "--prompt", "a",
                "--prompt-ids", "2");
        assertEquals(2, two.exit(), two::toString);
        CliTestSupport.Run badIds = run("generate", "--model", model("tiny-gemma"), "--prompt-ids", "2,x");
        assertEquals(2, badIds.exit(), badIds::toString);
        assertTrue(badIds.err().contains("'x'"), badIds::toString);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
