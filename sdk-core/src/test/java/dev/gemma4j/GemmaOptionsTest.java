package dev.gemma4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.chat.SystemPromptPolicy;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GemmaOptionsTest {
    @AfterEach
    void clearSystemProperties() {
        System.clearProperty(GemmaOptions.ENGINE);
        System.clearProperty(GemmaOptions.THREADS);
    }

    @Test
    void defaultsWhenNothingIsSet() {
        GemmaOptions o = GemmaOptions.defaults();
        assertEquals(System.getenv("GEMMA_ENGINE") == null ? "auto" : System.getenv("GEMMA_ENGINE"), o.engine());
        assertEquals(8192, o.context(131072));
        assertEquals(512, o.context(512));
        assertEquals(128, o.prefillChunk());
        assertEquals(SystemPromptPolicy.TEMPLATE, o.systemPromptPolicy());
    }

    @Test
    void builderBeatsSystemPropertiesWhichBeatDefaults() {
        System.setProperty(GemmaOptions.ENGINE, "onnx");
        System.setProperty(GemmaOptions.THREADS, "3");
        GemmaOptions fromSystem = GemmaOptions.defaults();
        assertEquals("onnx", fromSystem.engine());
        assertEquals(3, fromSystem.threads());
        GemmaOptions explicit = GemmaOptions.builder().engine("native").build();
        assertEquals("native", explicit.engine());
        assertEquals(3, explicit.threads());
    }

    @Test
    void fromPropertiesAndMaps() {
        Properties p = new Properties();
        p.setProperty("gemma.engine", "PyTorch");
        p.setProperty("gemma.device", "gpu");
        p.setProperty("gemma.context", "2048");
        p.setProperty("unrelated.key", "ignored");
        GemmaOptions o = GemmaOptions.from(p);
        assertEquals("pytorch", o.engine());
        assertEquals(GemmaOptions.Device.GPU, o.device());
        assertEquals(2048, o.context(8192));
        assertEquals(SystemPromptPolicy.FOLD, GemmaOptions.from(Map.of("gemma.chat.system", "fold")).systemPromptPolicy());
    }

    @Test
    void invalidValuesNameTheOption() {
        assertMessage("gemma.threads", () -> GemmaOptions.builder().threads(0).build());
        assertMessage("gemma.device", () -> GemmaOptions.from(Map.of("gemma.device", "tpu")));
        assertMessage("gemma.context", () -> GemmaOptions.from(Map.of("gemma.context", "lots")));
        assertMessage("gemma.chat.system", () -> GemmaOptions.from(Map.of("gemma.chat.system", "drop")));
        assertMessage("gemma.context", () -> GemmaOptions.builder().context(9000).build().context(8192));
        assertMessage("gemma.bogus", () -> GemmaOptions.from(Map.of("gemma.bogus", "1")));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
