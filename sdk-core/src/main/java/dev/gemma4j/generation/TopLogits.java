package dev.gemma4j.generation;

import dev.gemma4j.TokenLogit;
import java.util.ArrayList;
import java.util.List;

/** The k highest logits, highest first, lower id first among equals (the goldens' order). */
public final class TopLogits {
    private TopLogits() {
    }

    public static List<TokenLogit> of(float[] logits, int offset, int length, int k) {
        int n = Math.min(k, length);
        int[] ids = new int[n];
        float[] vals = new float[n];
        int size = 0;
        for (int i = 0; i < length; i++) {
            float v = logits[offset + i];
            if (size == n && !(v > vals[n - 1])) {
                continue;
            }
            // Insertion into a short sorted list: k is small (8), the scan over the vocabulary dominates.
            int j = size < n ? size++ : n - 1;
            while (j > 0 && v > vals[j - 1]) {
                vals[j] = vals[j - 1];
                ids[j] = ids[j - 1];
                j--;
            }
            vals[j] = v;
            ids[j] = i;
        }
        List<TokenLogit> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new TokenLogit(ids[i], vals[i]));
        }
        return out;
    }

    public static List<TokenLogit> of(float[] logits, int k) {
        return of(logits, 0, logits.length, k);
    }
}
