package dev.gemma4j.generation;

import java.util.List;

/**
 * Holds back streamed text that could still turn out to be the start of a stop string, so that a stop
 * string never reaches the caller, not even in part. {@link #offer} returns the text that is now safe to
 * emit; once a stop string is found, {@link #stopped()} is true and everything before it has been emitted.
 */
final class StopStringMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStringMatcher(List<String> stops) {
        this.stops = stops;
    }

    String offer(String piece) {
        if (stopped) {
            return "";
        }
        pending.append(piece);
        int cut = firstStop();
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** The held-back text, released when generation ends for another reason. */
    String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    private int firstStop() {
        int best = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    private int longestSuffixThatStartsAStop() {
        int keep = 0;
        int n = pending.length();
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, n); len > keep; len--) {
                if (endsWith(pending, s, len)) {
                    keep = len;
                    break;
                }
            }
        }
        return keep;
    }

    /** Whether {@code text} ends with the first {@code len} characters of {@code s}. */
    private static boolean endsWith(CharSequence text, String s, int len) {
        int start = text.length() - len;
        for (int i = 0; i < len; i++) {
            if (text.charAt(start + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
