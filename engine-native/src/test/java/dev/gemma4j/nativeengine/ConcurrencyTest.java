package dev.gemma4j.nativeengine;

import static dev.gemma4j.nativeengine.ApiTestSupport.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemma4j.ChatMessage;
import dev.gemma4j.ChatSession;
import dev.gemma4j.FinishReason;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One loaded model serving many threads at once: each generation has its own KV cache, so concurrent
 * greedy runs must reproduce the golden tokens exactly, and concurrent chat sessions must not see each
 * other's state.
 */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 2;

    private static final ApiTestSupport.ModelCache MODELS = new ApiTestSupport.ModelCache();

    private static GemmaModel model(String name) {
        return MODELS.get(name, "ctx256", b -> b.context(256));
    }

    @AfterAll
    static void closeModels() {
        MODELS.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void concurrentGreedyGenerationsMatchTheGoldenTokens(String name) throws Exception {
        GemmaModel model = model(name);
        List<JsonNode> prompts = new ArrayList<>();
        ApiTestSupport.numpyGolden(name).get("prompts").forEach(prompts::add);
        GenerationOptions opts = GenerationOptions.builder().maxTokens(24).defaultStopTokens(false).build();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                // Eight threads over the six golden prompts (threads 6 and 7 repeat prompts 0 and 1), each
                // given as its exact golden prompt_ids.
                JsonNode golden = prompts.get(t % prompts.size());
                int thread = t;
                futures.add(pool.submit(() -> {
                    int[] prompt = ints(golden.get("prompt_ids"));
                    int[] expected = ints(golden.get("generated_ids"));
                    List<String> failures = new ArrayList<>();
                    start.await(30, TimeUnit.SECONDS);
                    for (int round = 0; round < ROUNDS; round++) {
                        GenerationResult r = model.generate(prompt, opts);
                        if (!java.util.Arrays.equals(expected, r.tokens()) || r.finishReason() != FinishReason.LENGTH) {
                            failures.add("thread " + thread + " round " + round + " prompt "
                                    + golden.get("name").asText() + ": " + java.util.Arrays.toString(r.tokens())
                                    + " " + r.finishReason() + ", expected " + java.util.Arrays.toString(expected));
                        }
                    }
                    return failures;
                }));
            }
            List<String> failures = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                failures.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), failures, name + ": every concurrent result equals the golden tokens");
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void concurrentChatSessionsAreIndependent(String name) throws Exception {
        GemmaModel model = model(name);
        GenerationOptions opts = GenerationOptions.builder().maxTokens(8).build();
        List<List<String>> scripts = List.of(
                List.of("Hello, who are you?", "Tell me more."),
                List.of("What is the capital of France?", "And of Italy?"),
                List.of("Write a haiku about the sea.", "Now one about mountains."),
                List.of("Count from one to five.", "Now backwards."));
        CyclicBarrier start = new CyclicBarrier(scripts.size());
        ExecutorService pool = Executors.newFixedThreadPool(scripts.size());
        List<List<GenerationResult>> results = new ArrayList<>();
        List<List<ChatMessage>> histories = new ArrayList<>();
        try {
            List<Future<List<GenerationResult>>> futures = new ArrayList<>();
            List<ChatSession> sessions = new ArrayList<>();
            for (List<String> script : scripts) {
                ChatSession session = model.newSession();
                sessions.add(session);
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<GenerationResult> turns = new ArrayList<>();
                    for (String message : script) {
                        turns.add(session.send(message, opts));
                    }
                    return turns;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                results.add(futures.get(i).get(60, TimeUnit.SECONDS));
                histories.add(sessions.get(i).history());
                sessions.get(i).close();
            }
        } finally {
            pool.shutdownNow();
        }
        // Each turn, replayed alone as a fresh chat of its conversation so far, gives the same answer.
        for (int s = 0; s < scripts.size(); s++) {
            List<ChatMessage> history = histories.get(s);
            assertEquals(2 * scripts.get(s).size(), history.size());
            for (int turn = 0; turn < scripts.get(s).size(); turn++) {
                List<ChatMessage> conversation = history.subList(0, 2 * turn + 1);
                assertEquals(ChatMessage.user(scripts.get(s).get(turn)), conversation.get(2 * turn));
                GenerationResult concurrent = results.get(s).get(turn);
                GenerationResult fresh = model.chat(conversation, opts);
                String where = name + " session " + s + " turn " + turn;
                assertArrayEquals(fresh.promptIds(), concurrent.promptIds(), where + " prompt");
                assertArrayEquals(fresh.tokens(), concurrent.tokens(), where + " tokens");
                assertEquals(fresh.text(), history.get(2 * turn + 1).content(), where + " history");
                if (turn > 0) {
                    assertTrue(concurrent.usage().cachedPromptTokens() > 0, where + " reuses its own cache");
                }
            }
        }
    }
}
