package dev.gemma4j.nativeengine;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.weights.Tensor;
import dev.gemma4j.weights.WeightStore;
import dev.gemma4j.weights.DType;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The weights the native forward pass reads, resolved by Hugging Face name and checked against the
 * config's shapes once, at load time. Matrices stay in the mapped file; only norm vectors (a few KB) are
 * copied, with 1 added where the checkpoint stores {@code w}.
 */
record ModelWeights(Matrix embedding, Matrix lmHead, float[] finalNorm, List<LayerWeights> layers) {

    /**
     * @param quantize when present, float matrices are quantized to this block type at load time into
     *                 {@code arena} (the embedding, which is also the LM head, to Q8_0 when the target is
     *                 Q4_0, as llama.cpp's quantizer does); already-quantized matrices are used as they are
     */
    static ModelWeights load(WeightStore store, GemmaConfig c, Optional<DType> quantize, Arena arena,
            Parallel parallel) {
        float normOffset = store.normsIncludeOne() ? 0f : 1f;
        int h = c.hiddenSize();
        UnaryOperator<Matrix> q = m -> quantizeFloat(m, quantize, arena, parallel);
        Optional<DType> embeddingType = quantize.map(t -> t == DType.Q4_0 ? DType.Q8_0 : t);
        Matrix embedding = quantizeFloat(Matrix.of(store.require("model.embed_tokens.weight"), c.vocabSize(), h),
                embeddingType, arena, parallel);
        Matrix lmHead = store.find("lm_head.weight")
                .map(t -> quantizeFloat(Matrix.of(t, c.vocabSize(), h), embeddingType, arena, parallel))
                .orElse(embedding);
        float[] finalNorm = vector(store.require("model.norm.weight"), h, normOffset);
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            boolean sandwich = c.postNorms();
            float[] postAttention = vector(store.require(p + "post_attention_layernorm.weight"), h, normOffset);
            layers.add(new LayerWeights(
                    vector(store.require(p + "input_layernorm.weight"), h, normOffset),
                    q.apply(Matrix.of(store.require(p + "self_attn.q_proj.weight"), c.qDim(), h)),
                    q.apply(Matrix.of(store.require(p + "self_attn.k_proj.weight"), c.kvDim(), h)),
                    q.apply(Matrix.of(store.require(p + "self_attn.v_proj.weight"), c.kvDim(), h)),
                    q.apply(Matrix.of(store.require(p + "self_attn.o_proj.weight"), h, c.qDim())),
                    c.qkNorm() ? vector(store.require(p + "self_attn.q_norm.weight"), c.headDim(), normOffset) : null,
                    c.qkNorm() ? vector(store.require(p + "self_attn.k_norm.weight"), c.headDim(), normOffset) : null,
                    sandwich ? postAttention : null,
                    sandwich ? vector(store.require(p + "pre_feedforward_layernorm.weight"), h, normOffset) : postAttention,
                    sandwich ? vector(store.require(p + "post_feedforward_layernorm.weight"), h, normOffset) : null,
                    q.apply(Matrix.of(store.require(p + "mlp.gate_proj.weight"), c.intermediateSize(), h)),
                    q.apply(Matrix.of(store.require(p + "mlp.up_proj.weight"), c.intermediateSize(), h)),
                    q.apply(Matrix.of(store.require(p + "mlp.down_proj.weight"), h, c.intermediateSize()))));
        }
        return new ModelWeights(embedding, lmHead, finalNorm, List.copyOf(layers));
    }

    private static Matrix quantizeFloat(Matrix m, Optional<DType> target, Arena arena, Parallel parallel) {
        boolean isFloat = m instanceof F32Matrix || m instanceof Bf16Matrix || m instanceof F16Matrix;
        return target.filter(t -> isFloat).map(t -> Quantizer.quantize(m, t, arena, parallel)).orElse(m);
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
