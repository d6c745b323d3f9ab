package dev.gemma4j.nativeengine;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.config.LayerSpec;
import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.spi.EngineSession;

/**
 * The Gemma 1/2/3 forward pass for one sequence. Activations are float32 rows, one per token of the
 * chunk; every matrix product runs over all tokens of the chunk in one pass over the weights.
 */
final class NativeSession implements EngineSession {
    private final GemmaConfig c;
    private final ModelWeights w;
    private final Parallel parallel;
    private final KvLayout layout;
    private final KvStore[] kv;

    // Per-chunk activations, row-major [token][feature].
    private final float[] x;
    private final float[] xn;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] proj;
    private final float[] gate;
    private final float[] up;
    private final float[] cos;
    private final float[] sin;
    /** The current matrix product's input, reordered for the weight type when it needs that. */
    private final float[] matmulInput;
    /** Attention scores, one row per query head, each long enough for any layer's visible span. */
    private final float[][] scores;

    NativeSession(GemmaConfig config, ModelWeights weights, Parallel parallel, KvLayout layout) {
        this.c = config;
        this.w = weights;
        this.parallel = parallel;
        this.layout = layout;
        int n = layout.maxChunk();
        int h = c.hiddenSize();
        this.kv = new KvStore[c.numLayers()];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = new KvStore(layout, i, c.kvDim());
        }
        x = new float[n * h];
        xn = new float[n * h];
        q = new float[n * c.qDim()];
        k = new float[n * c.kvDim()];
        v = new float[n * c.kvDim()];
        att = new float[n * c.qDim()];
        proj = new float[n * h];
        gate = new float[n * c.intermediateSize()];
        up = new float[n * c.intermediateSize()];
        cos = new float[c.headDim() / 2];
        sin = new float[c.headDim() / 2];
        scores = new float[c.numHeads()][layout.context()];
        matmulInput = new float[n * Math.max(Math.max(h, c.qDim()), c.intermediateSize())];
    }

    @Override
    public void forward(int[] tokens, int startPos, float[] logits, boolean allPositions) {
        int n = tokens.length;
        if (n < 1 || n > layout.maxChunk()) {
            throw new IllegalArgumentException("chunk of " + n + " tokens; expected 1.." + layout.maxChunk());
        }
        if (startPos < 0 || startPos + n > layout.context()) {
            throw new IllegalArgumentException("positions " + startPos + ".." + (startPos + n - 1)
                    + " outside the context of " + layout.context());
        }
        int vocab = c.vocabSize();
        if (logits.length < (allPositions ? n * vocab : vocab)) {
            throw new IllegalArgumentException("logits buffer too small: " + logits.length);
        }
        int h = c.hiddenSize();
        for (int t = 0; t < n; t++) {
            if (tokens[t] < 0 || tokens[t] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[t] + " outside the vocabulary");
            }
            w.embedding().row(tokens[t], c.embeddingScale(), x, t * h);
        }
        for (int l = 0; l < c.numLayers(); l++) {
            block(l, n, startPos);
        }
        int first = allPositions ? 0 : n - 1;
        int rows = n - first;
        for (int t = first; t < n; t++) {
            Kernels.rmsNorm(xn, (t - first) * h, x, t * h, w.finalNorm(), h, c.rmsNormEps());
        }
        matmul(w.lmHead(), xn, rows, logits, vocab);
        if (c.finalSoftcap() > 0) {
            Kernels.softcap(logits, 0, rows * vocab, c.finalSoftcap());
        }
    }

    private void block(int l, int n, int startPos) {
        LayerWeights lw = w.layers().get(l);
        int h = c.hiddenSize();
        double eps = c.rmsNormEps();
        for (int t = 0; t < n; t++) {
            Kernels.rmsNorm(xn, t * h, x, t * h, lw.inputNorm(), h, eps);
        }
        matmul(lw.q(), xn, n, q, c.qDim());
        matmul(lw.k(), xn, n, k, c.kvDim());
        matmul(lw.v(), xn, n, v, c.kvDim());
        positionQueriesAndKeys(l, lw, n, startPos);
        storeKeysAndValues(l, n, startPos);
        attention(l, n, startPos);
        matmul(lw.o(), att, n, proj, h);
        if (lw.postAttnNorm() != null) {
            for (int t = 0; t < n; t++) {
                Kernels.rmsNorm(proj, t * h, proj, t * h, lw.postAttnNorm(), h, eps);
            }
        }
        Kernels.add(x, proj, n * h);

        for (int t = 0; t < n; t++) {
            Kernels.rmsNorm(xn, t * h, x, t * h, lw.preFfwNorm(), h, eps);
        }
        int ff = c.intermediateSize();
        matmul(lw.gate(), xn, n, gate, ff);
        matmul(lw.up(), xn, n, up, ff);
        Kernels.geglu(gate, up, n * ff);
        matmul(lw.down(), gate, n, proj, h);
        if (lw.postFfwNorm() != null) {
            for (int t = 0; t < n; t++) {
                Kernels.rmsNorm(proj, t * h, proj, t * h, lw.postFfwNorm(), h, eps);
            }
        }
        Kernels.add(x, proj, n * h);
    }

    /** Gemma 3's per-head q/k norms, then RoPE with this layer's base and scaling. */
    private void positionQueriesAndKeys(int l, LayerWeights lw, int n, int startPos) {
        LayerSpec spec = c.layer(l);
        int hd = c.headDim();
        double eps = c.rmsNormEps();
        for (int t = 0; t < n; t++) {
            Kernels.ropeAngles(startPos + t, spec.ropeBase(), spec.ropeScale(), hd, cos, sin);
            for (int head = 0; head < c.numHeads(); head++) {
                int off = t * c.qDim() + head * hd;
                if (lw.qNorm() != null) {
                    Kernels.rmsNorm(q, off, q, off, lw.qNorm(), hd, eps);
                }
                Kernels.rope(q, off, hd, cos, sin);
            }
            for (int head = 0; head < c.numKvHeads(); head++) {
                int off = t * c.kvDim() + head * hd;
                if (lw.kNorm() != null) {
                    Kernels.rmsNorm(k, off, k, off, lw.kNorm(), hd, eps);
                }
                Kernels.rope(k, off, hd, cos, sin);
            }
        }
    }

    /** Keys are cached after RoPE; values as projected. */
    private void storeKeysAndValues(int l, int n, int startPos) {
        KvStore store = kv[l];
        store.ensure(Math.min(layout.capacity(l), startPos + n));
        int kvDim = c.kvDim();
        for (int t = 0; t < n; t++) {
            int slot = layout.slot(l, startPos + t);
            System.arraycopy(k, t * kvDim, store.keys, slot * kvDim, kvDim);
            System.arraycopy(v, t * kvDim, store.values, slot * kvDim, kvDim);
        }
    }

    /** Causal (and for sliding layers, windowed) attention of every query head; GQA shares kv heads. */
    private void attention(int l, int n, int startPos) {
        parallel.forRange(c.numHeads(), 1, (from, to) -> {
            for (int head = from; head < to; head++) {
                for (int t = 0; t < n; t++) {
                    attendOne(l, head, t, startPos + t);
                }
            }
        });
    }

    private void attendOne(int l, int head, int t, int pos) {
        KvStore store = kv[l];
        int hd = c.headDim();
        int kvDim = c.kvDim();
        int kvOff = (head / (c.numHeads() / c.numKvHeads())) * hd;
        int qOff = t * c.qDim() + head * hd;
        int first = layout.firstVisible(l, pos);
        float[] s = scores[head];
        int span = pos - first + 1;
        for (int j = first; j <= pos; j++) {
            s[j - first] = Kernels.dot(q, qOff, store.keys, layout.slot(l, j) * kvDim + kvOff, hd) * c.queryScale();
        }
        if (c.attnSoftcap() > 0) {
            Kernels.softcap(s, 0, span, c.attnSoftcap());
        }
        float inv = 1 / Kernels.expNormalize(s, span);
        java.util.Arrays.fill(att, qOff, qOff + hd, 0f);
        for (int j = first; j <= pos; j++) {
            int slot = layout.slot(l, j);
            Kernels.axpy(s[j - first] * inv, store.values, slot * kvDim + kvOff, att, qOff, hd);
        }
    }

    /** out[t][r] = W[r] . in[t] for n tokens, rows split over the workers. */
    private void matmul(Matrix m, float[] in, int n, float[] out, int outStride) {
        float[] x = m.prepareInput(in, n, matmulInput);
        int grain = Math.max(1, 16384 / Math.max(1, m.cols() * n));
        parallel.forRange(m.rows(), grain, (from, to) -> m.multiply(x, n, out, outStride, from, to));
    }

    long kvBytes() {
        long b = 0;
        for (KvStore s : kv) {
            b += s.bytes();
        }
        return b;
    }

    @Override
    public void close() {
        for (int i = 0; i < kv.length; i++) {
            kv[i] = new KvStore(layout, i, c.kvDim());
        }
    }
}
