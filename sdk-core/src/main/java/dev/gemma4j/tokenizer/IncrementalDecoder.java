package dev.gemma4j.tokenizer;

import java.util.Arrays;

/**
 * Streams {@code decode(ids, false)} of a {@link HfGemmaTokenizer} piece by piece.
 *
 * <p>Gemma's decoder turns each piece into text on its own, except for runs of byte-fallback pieces
 * ({@code <0xE2><0x82><0xAC>} = "€"): the tokenizers library converts a whole run at once, and if the run
 * is not valid UTF-8 every byte of it becomes U+FFFD, even bytes that formed a valid character. So a run
 * can only be emitted once a non-byte piece closes it; until then {@link #push} returns "". That also
 * guarantees no piece ever ends in half a character or a surrogate.
 *
 * <p>Text is decoded over a small window: the pending ids plus the last emitted id as context, whose own
 * decoding is then cut off. The context keeps decoders that treat the start of a sequence specially (a
 * {@code Strip} of the leading space, as older Gemma tokenizer.json files have) from applying that rule to
 * every piece. Each id is decoded a constant number of times, so streaming costs O(1) per token however
 * long the text.
 */
final class IncrementalDecoder implements StreamDecoder {
    private final HfGemmaTokenizer tokenizer;
    /** Slot 0: the context id (when {@link #hasContext}), then the ids not emitted yet. */
    private int[] window = new int[16];
    private int size;
    private boolean hasContext;
    /** The decoding of the context id alone, i.e. the prefix to cut off the window's decoding. */
    private String contextText = "";

    IncrementalDecoder(HfGemmaTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public String push(int id) {
        if (size == window.length) {
            window = Arrays.copyOf(window, size * 2);
        }
        window[size++] = id;
        return tokenizer.isByteToken(id) ? "" : emit();
    }

    /** Emits what is pending, an unfinished byte run included, and starts over as a new stream. */
    @Override
    public String flush() {
        String rest = hasPending() ? emit() : "";
        size = 0;
        hasContext = false;
        contextText = "";
        return rest;
    }

    private boolean hasPending() {
        return size > (hasContext ? 1 : 0);
    }

    private String emit() {
        String text = tokenizer.decode(Arrays.copyOf(window, size), false);
        if (!text.startsWith(contextText)) {
            // Only a decoder that rewrites text across piece boundaries could do this; Gemma's do not.
            throw new IllegalStateException("decoding of " + Arrays.toString(Arrays.copyOf(window, size))
                    + " does not extend the decoding of its first id");
        }
        int last = window[size - 1];
        window[0] = last;
        size = 1;
        hasContext = true;
        String piece = text.substring(contextText.length());
        contextText = tokenizer.decode(new int[] {last}, false);
        return piece;
    }
}
