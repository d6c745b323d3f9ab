package dev.gemma4j.spi;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.EngineNotFoundException;
import dev.gemma4j.GemmaOptions;
import org.junit.jupiter.api.Test;

class EnginesTest {
    @Test
    void withNoEngineOnTheClasspathTheErrorSaysWhichDependencyToAdd() {
        // sdk-core's own test classpath has no engine module.
        EngineNotFoundException e = assertThrows(EngineNotFoundException.class,
                () -> Engines.select(GemmaOptions.builder().engine("native").build()));
        assertTrue(e.getMessage().contains("gemma4j-engine-native"), e.getMessage());
    }
}
