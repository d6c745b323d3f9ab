package dev.gemma4j.kv;

import java.util.Arrays;

/**
 * The token ids whose keys and values a session's KV storage holds, at positions {@code [0, length)}.
 * Decides how much of a new prompt can be served from the cache: the longest common prefix, as long as
 * the sliding rings still hold what resuming there needs, and always leaving at least one prompt token to
 * compute (its logits start the generation).
 */
public final class SessionCache {
    private final KvLayout layout;
    private int[] tokens = new int[64];
    private int length;

    public SessionCache(KvLayout layout) {
        this.layout = layout;
    }

    public KvLayout layout() {
        return layout;
    }

    public int length() {
        return length;
    }

    /** Positions of {@code prompt} that need no computation. */
    public int reusablePrefix(int[] prompt) {
        int limit = Math.min(length, prompt.length - 1);
        int p = 0;
        while (p < limit && tokens[p] == prompt[p]) {
            p++;
        }
        return layout.canResumeAt(p, length) ? p : 0;
    }

    /** Records that positions {@code [from, from + ids.length)} now hold {@code ids}; later ones are gone. */
    public void record(int from, int[] ids, int offset, int count) {
        if (from > length) {
            throw new IllegalStateException("cache holds " + length + " positions; cannot write at " + from);
        }
        int end = from + count;
        if (end > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(end, tokens.length * 2));
        }
        System.arraycopy(ids, offset, tokens, from, count);
        length = end;
    }

    public void clear() {
        length = 0;
    }

    public int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }
}
