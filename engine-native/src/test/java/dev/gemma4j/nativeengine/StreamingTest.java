package dev.gemma4j.nativeengine;

import static dev.gemma4j.nativeengine.ApiTestSupport.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemma4j.CancellationToken;
import dev.gemma4j.FinishReason;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.TokenStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streaming through the public API: callback pieces and {@link TokenStream} pieces are exactly the text of
 * the (golden) greedy tokens; closing a stream or cancelling a token stops a generation promptly; a stop
 * string cuts the text exactly before it.
 */
class StreamingTest {
    private static final ApiTestSupport.ModelCache MODELS = new ApiTestSupport.ModelCache();

    /** The golden text_plain run: 24 greedy tokens, no stop token. */
    private static final GenerationOptions GOLDEN_24 = GenerationOptions.builder().maxTokens(24)
            .defaultStopTokens(false).build();

    private static GemmaModel model(String name) {
        return MODELS.get(name, "ctx4096", b -> b.context(4096));
    }

    @AfterAll
    static void closeModels() {
        MODELS.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void callbackPiecesConcatenateToTheTextOfTheGoldenTokens(String name) {
        GemmaModel model = model(name);
        JsonNode golden = ApiTestSupport.goldenPrompt(name, "text_plain");
        int[] expected = ints(golden.get("generated_ids"));
        List<String> pieces = new ArrayList<>();
        GenerationResult r = model.stream(golden.get("text").asText(), GOLDEN_24, pieces::add);
        assertArrayEquals(ints(golden.get("prompt_ids")), r.promptIds(), "text prompt encodes as the golden ids");
        assertArrayEquals(expected, r.tokens(), "golden greedy tokens");
        assertEquals(FinishReason.LENGTH, r.finishReason());
        String decoded = model.tokenizer().decode(expected, false);
        assertEquals(decoded, String.join("", pieces), "pieces = decode(tokens, false)");
        assertEquals(decoded, r.text());
        assertTrue(pieces.stream().noneMatch(String::isEmpty), "no empty pieces");
        assertEquals(new dev.gemma4j.Usage(golden.get("prompt_ids").size(), 0, 24), r.usage());
        assertEquals(24 - 1, r.timings().decodeTokens(), "the last token is not fed back");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void tokenStreamGivesTheSamePiecesAndResultAsGenerate(String name) throws Exception {
        GemmaModel model = model(name);
        JsonNode golden = ApiTestSupport.goldenPrompt(name, "text_plain");
        String prompt = golden.get("text").asText();
        List<String> callbackPieces = new ArrayList<>();
        GenerationResult streamed = model.stream(prompt, GOLDEN_24, callbackPieces::add);
        GenerationResult generated = model.generate(prompt, GOLDEN_24);
        List<String> iterated = new ArrayList<>();
        GenerationResult result;
        try (TokenStream ts = model.stream(prompt, GOLDEN_24)) {
            while (ts.hasNext()) {
                iterated.add(ts.next());
            }
            assertFalse(ts.hasNext());
            result = ts.result();
        }
        assertEquals(callbackPieces, iterated, "iterator pieces = callback pieces");
        assertArrayEquals(generated.tokens(), result.tokens());
        assertArrayEquals(ints(golden.get("generated_ids")), result.tokens());
        assertEquals(generated.text(), result.text());
        assertEquals(String.join("", iterated), result.text());
        assertEquals(FinishReason.LENGTH, result.finishReason());
        assertEquals(streamed.text(), generated.text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void closingATokenStreamEarlyCancelsPromptly(String name) {
        GemmaModel model = model(name);
        GenerationOptions opts = GenerationOptions.builder().maxTokens(200).defaultStopTokens(false).build();
        String prompt = ApiTestSupport.goldenPrompt(name, "text_plain").get("text").asText();
        TokenStream ts = model.stream(prompt, opts);
        assertTrue(ts.hasNext());
        String first = ts.next();
        assertFalse(first.isEmpty());
        long t0 = System.nanoTime();
        ts.close();
        long closeMillis = (System.nanoTime() - t0) / 1_000_000;
        GenerationResult r = ts.result();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertTrue(r.tokens().length < 200, "stopped early: " + r.tokens().length + " tokens");
        assertTrue(r.text().startsWith(first), "the result text starts with the piece that was read");
        assertTrue(closeMillis < 2_000, "close() returned after " + closeMillis + " ms");
        // What was generated is still exactly the greedy continuation.
        int[] prefix = model.generate(prompt, opts.toBuilder().maxTokens(Math.max(1, r.tokens().length)).build())
                .tokens();
        assertArrayEquals(prefix, r.tokens());
    }

    /** Cancelling from another thread ends a long generation (up to ~4090 tokens) with CANCELLED. */
    @Test
    void cancellingFromAnotherThreadEndsGenerateWithCancelled() throws Exception {
        GemmaModel model = model("tiny-gemma3");
        assertEquals(4096, model.contextLength());
        CancellationToken token = new CancellationToken();
        GenerationOptions opts = GenerationOptions.builder().maxTokens(10_000).defaultStopTokens(false)
                .cancellation(token).build();
        CountDownLatch started = new CountDownLatch(1);
        Thread canceller = Thread.ofPlatform().start(() -> {
            try {
                if (started.await(30, TimeUnit.SECONDS)) {
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            token.cancel();
        });
        long t0 = System.nanoTime();
        int[] prompt = ints(ApiTestSupport.goldenPrompt("tiny-gemma3", "ids_short").get("prompt_ids"));
        GenerationResult r = model.stream(prompt, opts, piece -> started.countDown());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        canceller.join();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        int limit = 4096 - prompt.length + 1;
        assertTrue(r.tokens().length > 0 && r.tokens().length < limit, r.tokens().length + " tokens");
        assertTrue(millis < 10_000, "took " + millis + " ms");
        // The tokens generated before the cancellation are the golden greedy ones as far as they go.
        int[] golden = ints(ApiTestSupport.goldenPrompt("tiny-gemma3", "ids_short").get("generated_ids"));
        int n = Math.min(golden.length, r.tokens().length);
        assertArrayEquals(Arrays.copyOf(golden, n), Arrays.copyOf(r.tokens(), n));
    }

    @Test
    void alreadyCancelledTokenGeneratesNothing() {
        GemmaModel model = model("tiny-gemma");
        CancellationToken token = new CancellationToken();
        token.cancel();
        GenerationResult r = model.generate("Hello", GenerationOptions.builder().cancellation(token).build());
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(0, r.tokens().length);
        assertEquals("", r.text());
    }

    /** A stop string taken from the middle of the golden greedy text cuts the text exactly before it. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void stopStringFromTheMiddleOfTheGreedyTextCutsExactlyBeforeIt(String name) {
        GemmaModel model = model(name);
        JsonNode golden = ApiTestSupport.goldenPrompt(name, "text_plain");
        int[] greedy = ints(golden.get("generated_ids"));
        String full = model.tokenizer().decode(greedy, false);
        String stop = middleStopString(full);
        int cut = full.indexOf(stop);
        assertTrue(cut > 0, "stop string " + stop + " in " + full);

        List<String> pieces = new ArrayList<>();
        GenerationResult r = model.stream(golden.get("text").asText(),
                GOLDEN_24.toBuilder().stop(stop).build(), pieces::add);
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(full.substring(0, cut), r.text(), "text cut exactly before " + stop);
        assertEquals(r.text(), String.join("", pieces), "the stop string never reaches the stream");
        // Generation stopped at the token that completed the stop string, and not later.
        int n = r.tokens().length;
        assertArrayEquals(Arrays.copyOf(greedy, n), r.tokens(), "tokens are a prefix of the greedy run");
        assertTrue(model.tokenizer().decode(r.tokens(), false).contains(stop));
        assertFalse(model.tokenizer().decode(Arrays.copyOf(greedy, n - 1), false).contains(stop),
                "stopped as soon as the stop string appeared");
    }

    /** Two code points from the middle of {@code text} that contain a letter and no replacement character. */
    private static String middleStopString(String text) {
        int[] cps = text.codePoints().toArray();
        for (int d = 0; d < cps.length / 2; d++) {
            for (int start : new int[] {cps.length / 2 + d, cps.length / 2 - d}) {
                if (start < 1 || start + 2 > cps.length) {
                    continue;
                }
                String s = new String(cps, start, 2);
                if (s.codePoints().anyMatch(Character::isLetter) && s.indexOf('\uFFFD') < 0
                        && text.indexOf(s) > 0) {
                    return s;
                }
            }
        }
        throw new AssertionError("no usable stop string in " + text);
    }
}
