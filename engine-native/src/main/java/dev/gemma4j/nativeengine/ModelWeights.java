package dev.gemma4j.nativeengine;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.weights.Tensor;
import dev.gemma4j.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights the native forward pass reads, resolved by Hugging Face name and checked against the
 * config's shapes once, at load time. Matrices stay in the mapped file; only norm vectors (a few KB) are
 * copied, with 1 added where the checkpoint stores {@code w}.
 */
record ModelWeights(Matrix embedding, Matrix lmHead, float[] finalNorm, List<LayerWeights> layers) {

    static ModelWeights load(WeightStore store, GemmaConfig c) {
        float normOffset = store.normsIncludeOne() ? 0f : 1f;
        int h = c.hiddenSize();
        Matrix embedding = Matrix.of(store.require("model.embed_tokens.weight"), c.vocabSize(), h);
        Matrix lmHead = store.find("lm_head.weight")
                .map(t -> Matrix.of(t, c.vocabSize(), h))
                .orElse(embedding);
        float[] finalNorm = vector(store.require("model.norm.weight"), h, normOffset);
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            boolean sandwich = c.postNorms();
            float[] postAttention = vector(store.require(p + "post_attention_layernorm.weight"), h, normOffset);
            layers.add(new LayerWeights(
                    vector(store.require(p + "input_layernorm.weight"), h, normOffset),
                    Matrix.of(store.require(p + "self_attn.q_proj.weight"), c.qDim(), h),
                    Matrix.of(store.require(p + "self_attn.k_proj.weight"), c.kvDim(), h),
                    Matrix.of(store.require(p + "self_attn.v_proj.weight"), c.kvDim(), h),
                    Matrix.of(store.require(p + "self_attn.o_proj.weight"), h, c.qDim()),
                    c.qkNorm() ? vector(store.require(p + "self_attn.q_norm.weight"), c.headDim(), normOffset) : null,
                    c.qkNorm() ? vector(store.require(p + "self_attn.k_norm.weight"), c.headDim(), normOffset) : null,
                    sandwich ? postAttention : null,
                    sandwich ? vector(store.require(p + "pre_feedforward_layernorm.weight"), h, normOffset) : postAttention,
                    sandwich ? vector(store.require(p + "post_feedforward_layernorm.weight"), h, normOffset) : null,
                    Matrix.of(store.require(p + "mlp.gate_proj.weight"), c.intermediateSize(), h),
                    Matrix.of(store.require(p + "mlp.up_proj.weight"), c.intermediateSize(), h),
                    Matrix.of(store.require(p + "mlp.down_proj.weight"), h, c.intermediateSize())));
        }
        return new ModelWeights(embedding, lmHead, finalNorm, List.copyOf(layers));
    }

    /** Bytes read per decoded token: every matrix once, the LM head included. */
    long bytesPerToken() {
        long n = lmHead.bytes();
        for (LayerWeights l : layers) {
            n += l.bytes();
        }
        return n;
    }

    private static float[] vector(Tensor t, int length, float offset) {
        if (t.rank() != 1 || t.dim(0) != length) {
            throw new ModelFormatException(t.file(), t.name(), "expected shape [" + length + "] but the file has "
                    + java.util.Arrays.toString(t.shape()));
        }
        Matrix m = Matrix.view(t, 1, length);
        float[] out = new float[length];
        m.row(0, 1f, out, 0);
        for (int i = 0; i < length; i++) {
            out[i] += offset;
        }
        return out;
    }
}
