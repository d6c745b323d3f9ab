package dev.gemma4j.sampling;

/**
 * Steps 5-9 of the {@link Sampler} chain: temperature, top-k, softmax, top-p and min-p, done without sorting
 * the vocabulary. One id buffer, sized for the vocabulary, is reused by every step and doubles as the heap.
 * <ul>
 *   <li>With top-k, one pass keeps the k best logits in a heap whose root is the worst kept (O(V log k),
 *       mostly one comparison per token), and only those k get an {@code exp}.</li>
 *   <li>With top-p alone, the softmax needs every weight anyway; the survivors are heapified in O(V) and
 *       popped best-first only as far as the nucleus reaches: O(V + m log V) for a nucleus of m tokens.</li>
 *   <li>With neither, min-p is a plain threshold test and nothing is ranked.</li>
 * </ul>
 * Ranking is by key (logits for top-k, weights otherwise; the two orders agree), ties to the lower id, so
 * top-k = 1 agrees with greedy.
 */
final class Candidates {
    private final int[] ids;
    private int size;
    /** What the heap orders by; set per selection. */
    private float[] keys;

    Candidates(int vocabSize) {
        ids = new int[vocabSize];
    }

    int size() {
        return size;
    }

    int id(int i) {
        return ids[i];
    }

    void single(int id) {
        ids[0] = id;
        size = 1;
    }

    /**
     * Replaces the logits in {@code scratch} by unnormalized softmax weights {@code exp((l - max) / T)} (at
     * least for the survivors) and keeps the surviving ids. The best token's weight is exactly 1, so min-p's
     * threshold {@code minP * pmax} is just {@code minP}, and no normalization is needed until the draw. Zero
     * weights (-infinity logits, or underflow) are never candidates since they could never be drawn.
     */
    void select(float[] scratch, float max, float temperature, int topK, float topP, float minP) {
        keys = scratch;
        if (topK > 0) {
            int k = keepTopK(scratch, topK);
            double total = 0;
            for (int r = 0; r < k; r++) {
                total += scratch[ids[r]] = weight(scratch[ids[r]], max, temperature);
            }
            // Top-p measures mass against the distribution renormalized over the top k.
            size = prefix(scratch, k, topP * total, minP, 0);
            return;
        }
        double total = 0;
        for (int i = 0; i < scratch.length; i++) {
            total += scratch[i] = weight(scratch[i], max, temperature);
        }
        int n = 0;
        if (topP == 1f) {
            for (int i = 0; i < scratch.length; i++) {
                float w = scratch[i];
                if (w > 0 && w >= minP) {
                    ids[n++] = i;
                }
            }
            size = n;
            return;
        }
        for (int i = 0; i < scratch.length; i++) {
            if (scratch[i] > 0) {
                ids[n++] = i;
            }
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(i, n, true);
        }
        int kept = prefix(scratch, n, topP * total, minP, n);
        // The survivors were popped to the tail; drawing needs only the set, so move it to the front as is.
        System.arraycopy(ids, n - kept, ids, 0, kept);
        size = kept;
    }

    private static float weight(float logit, float max, float temperature) {
        return (float) Math.exp((logit - (double) max) / temperature);
    }

    /**
     * Leaves the {@code topK} best finite logits in {@code ids[0, k)}, best first, and returns k (fewer if fewer
     * tokens are finite).
     */
    private int keepTopK(float[] logits, int topK) {
        int k = 0;
        int i = 0;
        for (; i < logits.length && k < topK; i++) {
            if (logits[i] > Float.NEGATIVE_INFINITY) {
                ids[k++] = i;
            }
        }
        for (int j = k / 2 - 1; j >= 0; j--) {
            siftDown(j, k, false);
        }
        // Later ids lose ties, so beating the worst kept token means a strictly greater logit.
        float worst = logits[ids[0]];
        for (; i < logits.length; i++) {
            if (logits[i] > worst) {
                ids[0] = i;
                siftDown(0, k, false);
                worst = logits[ids[0]];
            }
        }
        // Heapsort: moving the worst to the end each time leaves the array best first.
        for (int end = k - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end, false);
        }
        return k;
    }

    /**
     * Top-p then min-p, over ranks {@code 0..limit-1}: top-p keeps the shortest best-first prefix whose mass
     * reaches {@code target} (as Hugging Face does), min-p the prefix with weight {@code >= minP}. Both are
     * prefixes, so applying one after the other keeps the shorter. Rank 0 has weight 1 > minP, so at least one
     * token survives.
     *
     * @param heap 0 if rank r is at {@code ids[r]}; else the size of a best-on-top heap in {@code ids} to pop
     *             ranks from, each pop moving rank r to {@code ids[heap - 1 - r]}
     * @return how many ranks survive
     */
    private int prefix(float[] weights, int limit, double target, float minP, int heap) {
        boolean popping = heap > 0;
        int n = heap;
        double mass = 0;
        int kept = 0;
        while (kept < limit) {
            int id;
            if (popping) {
                swap(0, --heap);
                siftDown(0, heap, true);
                id = ids[n - 1 - kept];
            } else {
                id = ids[kept];
            }
            float w = weights[id];
            if (w < minP) {
                break;
            }
            kept++;
            mass += w;
            if (mass >= target) {
                break;
            }
        }
        return kept;
    }

    /** Restores the heap below {@code i}; with {@code bestOnTop} false the root is the worst element. */
    private void siftDown(int i, int heap, boolean bestOnTop) {
        int id = ids[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= heap) {
                break;
            }
            if (child + 1 < heap && above(ids[child + 1], ids[child], bestOnTop)) {
                child++;
            }
            if (!above(ids[child], id, bestOnTop)) {
                break;
            }
            ids[i] = ids[child];
            i = child;
        }
        ids[i] = id;
    }

    private boolean above(int a, int b, boolean bestOnTop) {
        return bestOnTop ? ranksBefore(a, b) : ranksBefore(b, a);
    }

    private boolean ranksBefore(int a, int b) {
        float ka = keys[a];
        float kb = keys[b];
        return ka > kb || (ka == kb && a < b);
    }

    private void swap(int i, int j) {
        int t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
}
