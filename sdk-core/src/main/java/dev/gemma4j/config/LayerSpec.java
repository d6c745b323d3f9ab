package dev.gemma4j.config;

/**
 * Per-layer facts derived once from the config, so that engines never re-derive them.
 *
 * @param index        layer number
 * @param sliding      true when the layer attends only to the last {@code window} positions
 * @param window       attention window for sliding layers (position i sees j with i - window < j <= i);
 *                     0 for global layers
 * @param ropeBase     RoPE theta of this layer
 * @param ropeScale    linear RoPE scaling factor (positions are divided by it); 1 when unscaled
 */
public record LayerSpec(int index, boolean sliding, int window, double ropeBase, double ropeScale) {
}
