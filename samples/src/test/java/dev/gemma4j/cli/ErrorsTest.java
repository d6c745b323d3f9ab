package dev.gemma4j.cli;

import static dev.gemma4j.cli.CliTestSupport.model;
import static dev.gemma4j.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.spi.EngineProvider;
import dev.gemma4j.spi.Engines;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorsTest {

    /** One line, starting with "gemma4j: ", no stack trace. */
    private static String oneLine(CliTestSupport.Run r) {
        assertEquals(1, r.exit(), r::toString);
        assertEquals("", r.out(), r::toString);
        String err = r.err().stripTrailing();
        assertFalse(err.contains("\n"), () -> "one line expected\n" + r);
        assertTrue(err.startsWith("gemma4j: "), r::toString);
        assertFalse(err.contains("\tat "), r::toString);
        return err;
    }

    @Test
    void missingModelDirectoryIsNamed(@TempDir Path dir) {
        String missing = dir.resolve("no-such-model").toString();
        String err = oneLine(run("generate", "--model", missing, "--prompt", "Hello"));
        assertTrue(err.contains(missing), err);
        String err2 = oneLine(run("tokenize", "--model", missing, "--text", "Hello"));
        assertTrue(err2.contains(missing), err2);
    }

    @Test
    void negativeTemperatureIsNamed() {
        String err = oneLine(run("generate", "--model", model("tiny-gemma"), "--prompt", "Hello",
                "--temperature", "-1"));
        assertTrue(err.contains("temperature"), err);
    }

    @Test
    void missingEngineNamesTheInstalledOnes() {
        String err = oneLine(run("generate", "--model", model("tiny-gemma"), "--prompt", "Hello",
                "--engine", "pytorch"));
        assertTrue(err.contains("pytorch"), err);
        for (EngineProvider p : Engines.installed()) {
            assertTrue(err.contains(p.name()), err);
        }
    }

    @Test
    void verbosePrintsTheStackTrace(@TempDir Path dir) {
        CliTestSupport.Run r = run("--verbose", "generate", "--model", dir.resolve("nope").toString(),
                "--prompt", "Hello");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("gemma4j: "), r::toString);
        assertTrue(r.err().contains("\tat "), r::toString);
        CliTestSupport.Run r2 = run("generate", "--model", dir.resolve("nope").toString(), "--prompt", "Hello",
                "-v");
        assertTrue(r2.err().contains("\tat "), r2::toString);
    }

    @Test
    void usageErrorsExitWith2() {
        CliTestSupport.Run r = run("generate", "--prompt", "Hello");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("--model"), r::toString);
        assertEquals(2, run("frobnicate").exit());
        assertEquals(2, run().exit());
    }

    @Test
    void versionAndHelp() {
        CliTestSupport.Run v = run("--version");
        assertEquals(0, v.exit(), v::toString);
        assertTrue(v.out().startsWith("gemma4j "), v::toString);
        CliTestSupport.Run h = run("generate", "--help");
        assertEquals(0, h.exit(), h::toString);
        assertTrue(h.out().contains("--prompt-ids") && h.out().contains("--top-logits"), h::toString);
    }
}
