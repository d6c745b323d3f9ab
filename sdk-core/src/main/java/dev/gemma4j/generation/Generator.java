package dev.gemma4j.generation;

import dev.gemma4j.CancellationToken;
import dev.gemma4j.ContextOverflowException;
import dev.gemma4j.FinishReason;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.StepLogits;
import dev.gemma4j.Timings;
import dev.gemma4j.TokenLogit;
import dev.gemma4j.Usage;
import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.kv.SessionCache;
import dev.gemma4j.sampling.Sampler;
import dev.gemma4j.spi.EngineSession;
import dev.gemma4j.tokenizer.GemmaTokenizer;
import dev.gemma4j.tokenizer.StreamDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The generation loop shared by every engine: prefill what the cache does not already hold, then sample,
 * stream and feed back one token at a time until a stop token, a stop string, the token limit, the end of
 * the context or a cancellation.
 */
public final class Generator {
    private final GemmaTokenizer tokenizer;
    private final int vocabSize;
    private final Set<Integer> defaultStops;
    private final CancellationToken modelClosing;

    /**
     * @param modelClosing cancelled when the model closes: every running generation then stops within one
     *                     step, as if its own cancellation token had been cancelled
     */
    public Generator(GemmaTokenizer tokenizer, int vocabSize, Set<Integer> defaultStops,
            CancellationToken modelClosing) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.defaultStops = Set.copyOf(defaultStops);
        this.modelClosing = modelClosing;
    }

    public GenerationResult run(EngineSession engine, SessionCache cache, int[] prompt,
            GenerationOptions options, Consumer<String> sink) {
        validatePrompt(prompt, cache.layout());
        Set<Integer> stops = new HashSet<>(options.stopTokens());
        if (options.defaultStopTokens()) {
            stops.addAll(defaultStops);
        }
        Sampler sampler = Sampler.create(options.sampling(), vocabSize, prompt);
        CancellationToken cancel = options.cancellation();

        float[] logits = new float[vocabSize];
        int cached = cache.reusablePrefix(prompt);
        long t0 = System.nanoTime();
        prefill(engine, cache, prompt, cached, logits);
        long prefillNanos = System.nanoTime() - t0;

        int context = cache.layout().context();
        int limit = Math.min(options.maxTokens(), context - prompt.length + 1);
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        StopStringMatcher stopStrings = new StopStringMatcher(options.stopStrings());
        StringBuilder text = new StringBuilder();
        List<StepLogits> steps = new ArrayList<>();
        int[] generated = new int[Math.max(1, limit)];
        int count = 0;
        int decodeSteps = 0;
        long decodeNanos = 0;
        FinishReason reason = FinishReason.LENGTH;
        int[] one = new int[1];
        while (true) {
            if (modelClosing.isCancelled() || cancel != null && cancel.isCancelled()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            List<TokenLogit> top = options.topLogits() > 0 ? TopLogits.of(logits, options.topLogits()) : null;
            int token = sampler.sample(logits);
            if (top != null) {
                steps.add(new StepLogits(token, top));
            }
            generated[count++] = token;
            if (stops.contains(token)) {
                reason = FinishReason.EOS;
                break;
            }
            sampler.accept(token);
            emit(stopStrings.offer(decoder.push(token)), text, sink);
            if (stopStrings.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (count >= limit) {
                break;
            }
            long s = System.nanoTime();
            one[0] = token;
            int pos = prompt.length + count - 1;
            engine.forward(one, pos, logits, false);
            cache.record(pos, one, 0, 1);
            decodeNanos += System.nanoTime() - s;
            decodeSteps++;
        }
        if (reason != FinishReason.STOP) {
            emit(stopStrings.offer(decoder.flush()), text, sink);
            if (stopStrings.stopped()) {
                reason = FinishReason.STOP;
            } else {
                emit(stopStrings.flush(), text, sink);
            }
        }
        return new GenerationResult(text.toString(), prompt, Arrays.copyOf(generated, count), reason,
                new Usage(prompt.length, cached, count),
                new Timings(prefillNanos, prompt.length - cached, decodeNanos, decodeSteps), steps);
    }

    /**
     * Computes positions {@code [from, prompt.length)} in chunks, leaving the last position's logits in
     * {@code logits}.
     */
    private static void prefill(EngineSession engine, SessionCache cache, int[] prompt, int from, float[] logits) {
        int chunk = cache.layout().maxChunk();
        for (int start = from; start < prompt.length; start += chunk) {
            int end = Math.min(prompt.length, start + chunk);
            engine.forward(Arrays.copyOfRange(prompt, start, end), start, logits, false);
            cache.record(start, prompt, start, end - start);
        }
    }

    private void validatePrompt(int[] prompt, KvLayout layout) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token (e.g. <bos>)");
        }
        for (int id : prompt) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, "
                        + vocabSize + ")");
            }
        }
        if (prompt.length > layout.context()) {
            throw new ContextOverflowException(prompt.length, layout.context());
        }
    }

    private static void emit(String piece, StringBuilder text, Consumer<String> sink) {
        if (!piece.isEmpty()) {
            text.append(piece);
            if (sink != null) {
                sink.accept(piece);
            }
        }
    }
}
