package dev.gemma4j.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParamsTest {

    @Test
    void builderDefaultsAreGreedyWithEverythingOff() {
        SamplingParams p = SamplingParams.builder().build();
        assertEquals(SamplingParams.GREEDY, p);
        assertEquals(0f, p.temperature());
        assertEquals(0, p.topK());
        assertEquals(1f, p.topP());
        assertEquals(0f, p.minP());
        assertEquals(1f, p.repetitionPenalty());
        assertEquals(0f, p.presencePenalty());
        assertEquals(0f, p.frequencyPenalty());
        assertEquals(Map.of(), p.logitBias());
        assertNull(p.seed());
    }

    @Test
    void toBuilderRoundTrips() {
        SamplingParams p = SamplingParams.builder().temperature(0.7f).topK(64).topP(0.95f).minP(0.05f)
                .repetitionPenalty(1.1f).presencePenalty(-0.5f).frequencyPenalty(2f)
                .logitBias(Map.of(3, -100f, 7, 100f)).seed(42L).build();
        assertEquals(p, p.toBuilder().build());
        assertEquals(0.3f, p.toBuilder().temperature(0.3f).build().temperature());
    }

    @Test
    void boundaryValuesAreAccepted() {
        SamplingParams p = SamplingParams.builder().temperature(0f).topK(1).topP(1f).minP(0f)
                .repetitionPenalty(Float.MIN_VALUE).presencePenalty(-2f).frequencyPenalty(2f)
                .logitBias(Map.of(0, -100f, 1, 100f)).build();
        assertEquals(-2f, p.presencePenalty());
        assertEquals(Float.MIN_VALUE, SamplingParams.builder().topP(Float.MIN_VALUE).build().topP());
    }

    @Test
    void logitBiasIsAnImmutableCopy() {
        Map<Integer, Float> bias = new HashMap<>(Map.of(1, 5f));
        SamplingParams p = SamplingParams.builder().logitBias(bias).build();
        bias.put(2, 3f);
        assertEquals(Map.of(1, 5f), p.logitBias());
        assertThrows(UnsupportedOperationException.class, () -> p.logitBias().put(3, 1f));
    }

    @Test
    void messageNamesParameterValueAndRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(1.5f).build());
        assertEquals("top_p must be in (0, 1], got 1.5", e.getMessage());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("temperature", b -> b.temperature(-0.1f)),
                bad("temperature", b -> b.temperature(Float.NaN)),
                bad("temperature", b -> b.temperature(Float.POSITIVE_INFINITY)),
                bad("top_k", b -> b.topK(-1)),
                bad("top_p", b -> b.topP(0f)),
                bad("top_p", b -> b.topP(1.0001f)),
                bad("top_p", b -> b.topP(Float.NaN)),
                bad("min_p", b -> b.minP(-0.01f)),
                bad("min_p", b -> b.minP(1f)),
                bad("min_p", b -> b.minP(Float.NaN)),
                bad("repetition_penalty", b -> b.repetitionPenalty(0f)),
                bad("repetition_penalty", b -> b.repetitionPenalty(-1f)),
                bad("repetition_penalty", b -> b.repetitionPenalty(Float.POSITIVE_INFINITY)),
                bad("repetition_penalty", b -> b.repetitionPenalty(Float.NaN)),
                bad("presence_penalty", b -> b.presencePenalty(2.01f)),
                bad("presence_penalty", b -> b.presencePenalty(-2.01f)),
                bad("presence_penalty", b -> b.presencePenalty(Float.NaN)),
                bad("frequency_penalty", b -> b.frequencyPenalty(2.01f)),
                bad("frequency_penalty", b -> b.frequencyPenalty(Float.NEGATIVE_INFINITY)),
                bad("frequency_penalty", b -> b.frequencyPenalty(Float.NaN)),
                bad("logit_bias", b -> b.logitBias(Map.of(1, 100.5f))),
                bad("logit_bias", b -> b.logitBias(Map.of(1, -101f))),
                bad("logit_bias", b -> b.logitBias(Map.of(1, Float.NaN))),
                bad("logit_bias", b -> b.logitBias(Map.of(-1, 1f))),
                bad("logit_bias", b -> b.logitBias(null)));
    }

    private static Arguments bad(String name, UnaryOperator<SamplingParams.Builder> setter) {
        return Arguments.of(name, setter);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalid")
    void invalidValuesAreRejectedNamingTheParameter(String name, UnaryOperator<SamplingParams.Builder> setter) {
        var e = assertThrows(IllegalArgumentException.class, () -> setter.apply(SamplingParams.builder()).build());
        assertTrue(e.getMessage().startsWith(name + " "), e.getMessage());
    }
}
