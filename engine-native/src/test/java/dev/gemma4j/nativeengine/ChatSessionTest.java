package dev.gemma4j.nativeengine;

import static dev.gemma4j.nativeengine.ApiTestSupport.commonPrefix;
import static dev.gemma4j.nativeengine.ApiTestSupport.concat;
import static dev.gemma4j.nativeengine.ApiTestSupport.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.ChatSession;
import dev.gemma4j.ContextOverflowException;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.chat.ChatTemplateException;
import dev.gemma4j.chat.SystemPromptPolicy;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.config.LayerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end through {@link ChatSession}: a session reuses its KV cache across turns (exactly the common
 * prefix of the new prompt and what the cache holds), and that reuse never changes the answer: every turn
 * is compared token for token with a fresh {@link GemmaModel#chat} of the whole conversation.
 */
class ChatSessionTest {
    private static final int CONTEXT = 512;
    /** Prefill chunk of the "small" variant: sliding rings of window + 3 - 1 = 10 slots, which wrap often. */
    private static final int SMALL_CHUNK = 3;
    private static final int DEFAULT_CHUNK = 128;

    private static final ApiTestSupport.ModelCache MODELS = new ApiTestSupport.ModelCache();

    private static final GenerationOptions GREEDY_12 = GenerationOptions.builder().maxTokens(12).build();

    private static final String U1 = "Hello! Can you tell me a short story about a dragon?";
    private static final String U2 = "Make it shorter, please.";
    private static final List<String> LONG_TURNS = List.of(
            "I am planning a trip to the mountains next week and I need advice about what to pack.",
            "What about food? I will be hiking for about six hours every day, mostly uphill.",
            "Thanks. Also, how should I prepare if the weather forecast says it will rain on two days?",
            "Can you summarise everything in three short bullet points for my notes?",
            "One last question: is it safe to go alone, or should I find a hiking partner?");

    /** Default prefill chunk, template system-prompt policy. */
    private static GemmaModel model(String name) {
        return MODELS.get(name, "main", b -> b.context(CONTEXT));
    }

    /** Folds system prompts, and prefills in chunks of 3 so that the sliding-window rings wrap. */
    private static GemmaModel smallChunkFoldModel(String name) {
        return MODELS.get(name, "fold-chunk3", b -> b.context(CONTEXT).prefillChunk(SMALL_CHUNK)
                .systemPromptPolicy(SystemPromptPolicy.FOLD));
    }

    @AfterAll
    static void closeModels() {
        MODELS.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void secondTurnReusesTheCommonPrefixAndAnswersAsAFreshChat(String name) {
        GemmaModel model = model(name);
        try (ChatSession session = model.newSession()) {
            assertEquals(0, session.cachedTokens());
            GenerationResult r1 = session.send(U1, GREEDY_12);
            int[] p1 = r1.promptIds();
            assertArrayEquals(model.chatPrompt(List.of(ChatMessage.user(U1))), p1, "turn 1 prompt");
            assertEquals(0, r1.usage().cachedPromptTokens(), "nothing cached before turn 1");
            assertEquals(p1.length, r1.usage().promptTokens());
            assertEquals(p1.length, r1.timings().prefillTokens());
            assertEquals(r1.tokens().length, r1.usage().completionTokens());
            assertEquals(List.of(ChatMessage.user(U1), ChatMessage.assistant(r1.text())), session.history());
            GenerationResult fresh1 = model.chat(List.of(ChatMessage.user(U1)), GREEDY_12);
            assertArrayEquals(fresh1.tokens(), r1.tokens(), "turn 1 equals a fresh chat");
            // The last sampled token is never fed back, so the cache holds prompt + all but the last token.
            int[] cachedSeq = concat(p1, Arrays.copyOf(r1.tokens(), r1.tokens().length - 1));
            assertEquals(cachedSeq.length, session.cachedTokens(), "cache after turn 1");

            List<ChatMessage> conversation = new ArrayList<>(session.history());
            conversation.add(ChatMessage.user(U2));
            int[] p2 = model.chatPrompt(conversation);
            GenerationResult r2 = session.send(U2, GREEDY_12);
            assertArrayEquals(p2, r2.promptIds(), "turn 2 prompt is the whole conversation");
            int lcp = Math.min(commonPrefix(p2, cachedSeq), p2.length - 1);
            assertTrue(r2.usage().cachedPromptTokens() > 0, "turn 2 reuses the cache: " + r2.usage());
            assertEquals(lcp, r2.usage().cachedPromptTokens(), "turn 2 cached = common prefix");
            assertEquals(p2.length, r2.usage().promptTokens());
            assertEquals(r2.usage().promptTokens() - r2.usage().cachedPromptTokens(), r2.timings().prefillTokens());

            GenerationResult fresh = model.chat(conversation, GREEDY_12);
            assertEquals(0, fresh.usage().cachedPromptTokens());
            assertArrayEquals(fresh.tokens(), r2.tokens(), "prefix reuse must not change the answer");
            assertEquals(fresh.text(), r2.text());
            assertEquals(fresh.finishReason(), r2.finishReason());
            assertEquals(p2.length + r2.tokens().length - 1, session.cachedTokens(), "cache after turn 2");
        }
    }

    /**
     * Five turns with the fixtures' sliding window of 8, long enough that the sliding layers' KV rings
     * wrap (with the default prefill chunk, ring of 135 slots, and for tiny-gemma2 also with chunks of 3,
     * ring of 10 slots):
     * each turn equals a fresh computation, and the cache serves exactly what the rings still hold.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma2", "tiny-gemma3"})
    void longConversationWithSlidingWindowEqualsFreshComputation(String name) {
        // The chunk-3 variant costs a model load; tiny-gemma2 has it loaded anyway for the FOLD test.
        boolean[] variants = name.equals("tiny-gemma2") ? new boolean[] {false, true} : new boolean[] {false};
        for (boolean small : variants) {
            GemmaModel model = small ? smallChunkFoldModel(name) : model(name);
            int chunk = small ? SMALL_CHUNK : DEFAULT_CHUNK;
            int ring = ringCapacity(model.config(), chunk);
            int reusedAfterWrap = 0;
            int fellBack = 0;
            try (ChatSession session = model.newSession()) {
                int[] cachedSeq = new int[0];
                for (int turn = 0; turn < LONG_TURNS.size(); turn++) {
                    String where = name + (small ? " chunk 3" : " chunk 128") + " turn " + (turn + 1);
                    List<ChatMessage> conversation = new ArrayList<>(session.history());
                    conversation.add(ChatMessage.user(LONG_TURNS.get(turn)));
                    GenerationResult r = session.send(LONG_TURNS.get(turn), GREEDY_12);
                    int[] prompt = r.promptIds();
                    int lcp = Math.min(commonPrefix(prompt, cachedSeq), prompt.length - 1);
                    int expectedCached = resumable(model.config(), chunk, lcp, cachedSeq.length) ? lcp : 0;
                    assertEquals(expectedCached, r.usage().cachedPromptTokens(), where + " cached prompt tokens");
                    assertEquals(prompt.length - expectedCached, r.timings().prefillTokens(), where + " prefill");
                    if (expectedCached > 0 && cachedSeq.length > ring) {
                        reusedAfterWrap++;
                    }
                    if (lcp > 0 && expectedCached == 0) {
                        fellBack++;
                    }
                    GenerationResult fresh = model.chat(conversation, GREEDY_12);
                    assertArrayEquals(fresh.promptIds(), prompt, where + " prompt");
                    assertArrayEquals(fresh.tokens(), r.tokens(), where + " tokens equal a fresh chat");
                    assertEquals(fresh.text(), r.text(), where + " text");
                    cachedSeq = concat(prompt, Arrays.copyOf(r.tokens(), r.tokens().length - 1));
                    assertEquals(cachedSeq.length, session.cachedTokens(), where + " cached tokens");
                }
                assertTrue(session.cachedTokens() > ring, name + ": the conversation (" + session.cachedTokens()
                        + " tokens) must outgrow the sliding ring (" + ring + " slots)");
            }
            if (small) {
                // Rings of 10 slots: resuming needs the new prompt to diverge at most 3 tokens before the
                // end of the cache, which the re-tokenised answers rarely allow, so the session recomputes.
                assertTrue(fellBack > 0, name + " chunk 3: at least one turn must find its prefix overwritten");
            } else {
                assertTrue(reusedAfterWrap > 0, name + " chunk 128: at least one turn must resume from a wrapped ring");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void resetEmptiesTheCacheAndTheNextAnswerIsFresh(String name) {
        GemmaModel model = model(name);
        try (ChatSession session = model.newSession()) {
            session.send(U1, GREEDY_12);
            assertTrue(session.cachedTokens() > 0);
            session.reset();
            assertEquals(0, session.cachedTokens());
            assertEquals(List.of(), session.history());
            GenerationResult r = session.send(U2, GREEDY_12);
            GenerationResult fresh = model.chat(List.of(ChatMessage.user(U2)), GREEDY_12);
            assertEquals(0, r.usage().cachedPromptTokens(), "nothing reused after reset");
            assertArrayEquals(fresh.promptIds(), r.promptIds());
            assertArrayEquals(fresh.tokens(), r.tokens());
            assertEquals(fresh.text(), r.text());
            assertEquals(List.of(ChatMessage.user(U2), ChatMessage.assistant(r.text())), session.history());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma3"})
    void systemPromptOnGemma3IsFoldedByItsTemplate(String name) {
        GemmaModel model = model(name);
        String system = "You are a terse assistant.";
        try (ChatSession session = model.newSession()) {
            session.system(system);
            assertEquals(List.of(ChatMessage.system(system)), session.history());
            GenerationResult r = session.send(U1, GREEDY_12);
            List<ChatMessage> conversation = List.of(ChatMessage.system(system), ChatMessage.user(U1));
            GenerationResult fresh = model.chat(conversation, GREEDY_12);
            assertArrayEquals(fresh.promptIds(), r.promptIds());
            assertArrayEquals(fresh.tokens(), r.tokens());
            String rendered = model.tokenizer().decode(r.promptIds(), false);
            assertEquals("<bos><start_of_turn>user\n" + system + "\n\n" + U1 + "<end_of_turn>\n<start_of_turn>model\n",
                    rendered);
            assertEquals(List.of(ChatMessage.system(system), ChatMessage.user(U1), ChatMessage.assistant(r.text())),
                    session.history());
            // The system prompt stays in front on the next turn, and the prefix is still reused.
            GenerationResult r2 = session.send(U2, GREEDY_12);
            assertTrue(r2.usage().cachedPromptTokens() > 0);
            List<ChatMessage> full = new ArrayList<>(session.history().subList(0, 3));
            full.add(ChatMessage.user(U2));
            assertArrayEquals(model.chat(full, GREEDY_12).tokens(), r2.tokens());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2"})
    void systemPromptOnGemma1And2NeedsTheFoldPolicy(String name) {
        String system = "You are a terse assistant.";
        GemmaModel model = model(name);
        try (ChatSession session = model.newSession()) {
            session.system(system);
            ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> session.send(U1, GREEDY_12));
            assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
            assertEquals("System role not supported", e.templateMessage());
            assertEquals(List.of(ChatMessage.system(system)), session.history(), "a failed turn changes nothing");
            assertEquals(0, session.cachedTokens());
        }

        GemmaModel fold = smallChunkFoldModel(name);
        // The golden rendering of system_single with the system text folded into the first user message.
        JsonNode golden = null;
        for (JsonNode c : ApiTestSupport.readJson(name, "chat.json").get("conversations")) {
            if (c.get("name").asText().equals("system_single")) {
                golden = c;
            }
        }
        List<ChatMessage> goldenMessages = new ArrayList<>();
        for (JsonNode m : golden.get("messages")) {
            goldenMessages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        assertArrayEquals(ints(golden.get("ids_system_folded")), fold.chatPrompt(goldenMessages));

        try (ChatSession session = fold.newSession()) {
            session.system(system);
            GenerationResult r = session.send(U1, GREEDY_12);
            List<ChatMessage> conversation = List.of(ChatMessage.system(system), ChatMessage.user(U1));
            assertEquals("<bos><start_of_turn>user\n" + system + "\n\n" + U1
                    + "<end_of_turn>\n<start_of_turn>model\n", fold.tokenizer().decode(r.promptIds(), false));
            assertArrayEquals(fold.chat(conversation, GREEDY_12).tokens(), r.tokens());
            assertEquals(3, session.history().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void failedTurnLeavesHistoryAndCacheUnchanged(String name) {
        GemmaModel model = model(name);
        String tooLong = "word ".repeat(CONTEXT + 10);
        try (ChatSession session = model.newSession()) {
            GenerationResult r1 = session.send(U1, GREEDY_12);
            List<ChatMessage> before = session.history();
            int cachedBefore = session.cachedTokens();
            ContextOverflowException e = assertThrows(ContextOverflowException.class,
                    () -> session.send(tooLong, GREEDY_12));
            assertEquals(CONTEXT, e.capacity());
            assertTrue(e.requested() > CONTEXT);
            assertEquals(before, session.history(), "a failed turn leaves the history unchanged");
            assertEquals(cachedBefore, session.cachedTokens(), "a failed turn leaves the cache unchanged");
            // The session goes on as if the failed turn never happened.
            GenerationResult r2 = session.send(U2, GREEDY_12);
            List<ChatMessage> conversation = List.of(ChatMessage.user(U1), ChatMessage.assistant(r1.text()),
                    ChatMessage.user(U2));
            assertTrue(r2.usage().cachedPromptTokens() > 0);
            assertArrayEquals(model.chat(conversation, GREEDY_12).tokens(), r2.tokens());
        }
    }

    /** Slots of the smallest sliding ring: window + chunk - 1 (capped by the context). */
    private static int ringCapacity(GemmaConfig config, int chunk) {
        int ring = Integer.MAX_VALUE;
        for (LayerSpec l : config.layers()) {
            if (l.sliding()) {
                ring = Math.min(ring, Math.min(CONTEXT, l.window() + Math.min(chunk, CONTEXT) - 1));
            }
        }
        return ring;
    }

    /**
     * Whether a cache holding {@code cachedLength} positions can resume at {@code resumeAt}: every sliding
     * ring of window + chunk - 1 slots must still hold the window - 1 positions before {@code resumeAt}.
     */
    private static boolean resumable(GemmaConfig config, int chunk, int resumeAt, int cachedLength) {
        for (LayerSpec l : config.layers()) {
            if (!l.sliding()) {
                continue;
            }
            int capacity = Math.min(CONTEXT, l.window() + Math.min(chunk, CONTEXT) - 1);
            int oldestKept = Math.max(0, cachedLength - capacity);
            int oldestNeeded = Math.max(0, resumeAt - l.window() + 1);
            if (oldestNeeded < oldestKept) {
                return false;
            }
        }
        return true;
    }
}
