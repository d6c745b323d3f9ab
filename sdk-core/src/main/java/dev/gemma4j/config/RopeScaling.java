package dev.gemma4j.config;

import java.util.Optional;

/**
 * Gemma 3's {@code rope_scaling}: the 4B and larger models stretch the positions of their global layers
 * linearly (factor 8); sliding layers are never scaled. Only the linear form exists for Gemma, so any other
 * type is rejected rather than run unscaled.
 */
final class RopeScaling {
    private RopeScaling() {
    }

    /** The factor global layers divide positions by: 1 when rope_scaling is absent or null. */
    static double globalFactor(ConfigFields text) {
        if (!text.has("rope_scaling")) {
            return 1;
        }
        ConfigFields scaling = text.object("rope_scaling");
        // Older configs spell the key "type"; transformers reads rope_type first, then type.
        Optional<String> ropeType = scaling.string("rope_type");
        Optional<String> legacyType = scaling.string("type");
        if (ropeType.isPresent() && legacyType.isPresent() && !ropeType.equals(legacyType)) {
            throw scaling.error("type", "\"" + legacyType.get() + "\" contradicts rope_type \"" + ropeType.get() + "\"");
        }
        String type = ropeType.or(() -> legacyType).orElseThrow(() -> scaling.error("rope_type", "is missing"));
        if (!type.equals("linear")) {
            throw scaling.error("rope_type", "unsupported RoPE scaling \"" + type + "\" (only linear is supported)");
        }
        double factor = scaling.positiveFinite("factor");
        if (factor < 1) {
            throw scaling.error("factor", "linear RoPE scaling needs a factor of at least 1, got " + factor);
        }
        return factor;
    }
}
