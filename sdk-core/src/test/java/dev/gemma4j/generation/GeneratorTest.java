package dev.gemma4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gemma4j.CancellationToken;
import dev.gemma4j.ContextOverflowException;
import dev.gemma4j.FinishReason;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.kv.SessionCache;
import dev.gemma4j.testing.CharTokenizer;
import dev.gemma4j.testing.ScriptedEngine;
import dev.gemma4j.testing.TinyConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static final int VOCAB = 40;
    /** The scripted model counts up: after id t comes t + 1 ('a' -> 'b' -> 'c' ...), and 'z' + 1 is eos. */
    private static final int Z = 3 + 25;

    private final KvLayout layout = new KvLayout(TinyConfigs.gemma3(6, 8, 6, VOCAB), 64, 4);
    private final Generator generator = new Generator(new CharTokenizer(VOCAB), VOCAB, Set.of(1), new CancellationToken());
    private final ScriptedEngine engine = new ScriptedEngine(VOCAB, layout, t -> t == Z ? 1 : t + 1);

    private GenerationResult run(SessionCache cache, int[] prompt, GenerationOptions options) {
        return generator.run(engine, cache, prompt, options, null);
    }

    @Test
    void greedyRunsToTheTokenLimit() {
        GenerationResult r = run(new SessionCache(layout), new int[] {2, 3}, GenerationOptions.builder().maxTokens(4).build());
        assertArrayEquals(new int[] {4, 5, 6, 7}, r.tokens());
        assertEquals("bcde", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(2, r.usage().promptTokens());
        assertEquals(4, r.usage().completionTokens());
        // The prompt in one chunk, then 3 decode steps: the last token is never fed back.
        assertEquals(2 + 3, engine.computed());
        assertEquals(3, r.timings().decodeTokens());
    }

    @Test
    void stopTokenEndsWithEosAndAddsNoText() {
        GenerationResult r = run(new SessionCache(layout), new int[] {2, Z - 1}, GenerationOptions.defaults());
        assertArrayEquals(new int[] {Z, 1}, r.tokens());
        assertEquals("z", r.text());
        assertEquals(FinishReason.EOS, r.finishReason());
    }

    @Test
    void extraStopTokensAndDisablingTheDefaults() {
        GenerationResult r = run(new SessionCache(layout), new int[] {2, 3},
                GenerationOptions.builder().stopTokens(6).build());
        assertArrayEquals(new int[] {4, 5, 6}, r.tokens());
        assertEquals(FinishReason.EOS, r.finishReason());
        r = run(new SessionCache(layout), new int[] {2, Z - 1},
                GenerationOptions.builder().defaultStopTokens(false).maxTokens(3).build());
        assertArrayEquals(new int[] {Z, 1, 2}, r.tokens());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void stopStringCutsTheTextAndIsNeverStreamed() {
        List<String> pieces = new ArrayList<>();
        GenerationResult r = generator.run(engine, new SessionCache(layout), new int[] {2, 3},
                GenerationOptions.builder().stop("def").build(), pieces::add);
        assertEquals("bc", r.text());
        assertEquals("bc", String.join("", pieces));
        assertEquals(FinishReason.STOP, r.finishReason());
        assertArrayEquals(new int[] {4, 5, 6, 7, 8}, r.tokens()); // "bcdef": the stop completes with 'f'

    }

    @Test
    void heldBackTextIsReleasedWhenNoStopStringFollows() {
        GenerationResult r = run(new SessionCache(layout), new int[] {2, 3},
                GenerationOptions.builder().stop("dx").maxTokens(3).build());
        assertEquals("bcd", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void secondTurnPrefillsOnlyTheNewSuffix() {
        SessionCache cache = new SessionCache(layout);
        int[] first = {2, 3, 4, 5, 6, 7};
        GenerationResult r1 = run(cache, first, GenerationOptions.builder().maxTokens(3).build());
        assertEquals(6 + 2, cache.length()); // prompt + the two generated tokens that were fed back
        engine.calls.clear();
        int[] second = new int[first.length + 3 + 2];
        System.arraycopy(first, 0, second, 0, first.length);
        System.arraycopy(r1.tokens(), 0, second, first.length, 3);
        second[9] = 20;
        second[10] = 21;
        GenerationResult r2 = run(cache, second, GenerationOptions.builder().maxTokens(1).build());
        assertEquals(8, r2.usage().cachedPromptTokens());
        assertEquals(3, r2.timings().prefillTokens());
        assertEquals(8, engine.calls.get(0).startPos());
        assertArrayEquals(new int[] {r1.tokens()[2], 20, 21}, engine.calls.get(0).tokens());
    }

    @Test
    void longPromptIsPrefilledInChunks() {
        int[] prompt = new int[10];
        java.util.Arrays.fill(prompt, 3);
        run(new SessionCache(layout), prompt, GenerationOptions.builder().maxTokens(1).build());
        assertEquals(List.of(0, 4, 8), engine.calls.stream().map(ScriptedEngine.Call::startPos).toList());
    }

    @Test
    void promptLongerThanTheContextIsRejected() {
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> run(new SessionCache(layout), new int[65], GenerationOptions.defaults()));
        assertEquals(65, e.requested());
        assertEquals(64, e.capacity());
        assertEquals(0, engine.computed());
    }

    @Test
    void generationStopsAtTheEndOfTheContext() {
        int[] prompt = new int[62];
        java.util.Arrays.fill(prompt, 3);
        GenerationResult r = run(new SessionCache(layout), prompt,
                GenerationOptions.builder().maxTokens(100).defaultStopTokens(false).build());
        assertEquals(3, r.tokens().length); // positions 62 and 63 fed back, the third token needs none
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void invalidPromptsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> run(new SessionCache(layout), new int[0], GenerationOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> run(new SessionCache(layout), new int[] {2, VOCAB}, GenerationOptions.defaults()));
    }

    @Test
    void cancellationFromAnotherThreadStopsWithinOneStep() {
        CancellationToken cancel = new CancellationToken();
        int[] forwards = {0};
        engine.onForward = () -> {
            if (++forwards[0] == 3) {
                cancel.cancel(); // as another thread would, in the middle of the third forward pass
            }
        };
        GenerationResult r = run(new SessionCache(layout), new int[] {2, 3},
                GenerationOptions.builder().maxTokens(20).cancellation(cancel).build());
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(3, forwards[0]);
        assertEquals("bc", r.text());
    }

    @Test
    void topLogitsAreRecordedPerStep() {
        GenerationResult r = run(new SessionCache(layout), new int[] {2, 3},
                GenerationOptions.builder().maxTokens(2).topLogits(3).build());
        assertEquals(2, r.steps().size());
        assertEquals(4, r.steps().get(0).token());
        assertEquals(4, r.steps().get(0).top().get(0).id());
        assertEquals(10f, r.steps().get(0).top().get(0).logit());
        assertEquals(0, r.steps().get(0).top().get(1).id()); // ties: lower id first
    }
}
