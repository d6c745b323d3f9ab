package dev.gemma4j.cli;

import static dev.gemma4j.cli.CliTestSupport.goldenPrompt;
import static dev.gemma4j.cli.CliTestSupport.ints;
import static dev.gemma4j.cli.CliTestSupport.model;
import static dev.gemma4j.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {

    @Test
    void tokenizesLikeTheGolden() {
        int[] expected = ints(goldenPrompt("tiny-gemma3", "text_plain").get("prompt_ids"));
        CliTestSupport.Run r = run("tokenize", "--model", model("tiny-gemma3"),
                "--text", "The quick brown fox jumps over the lazy dog.");
        assertEquals(0, r.exit(), r::toString);
        assertArrayEquals(expected, ints(r.json()));
        assertEquals(r.out().strip(), r.out().stripTrailing(), "one line of JSON");
    }

    @Test
    void noBosLeavesOutTheFirstToken() {
        int[] expected = ints(goldenPrompt("tiny-gemma3", "text_plain").get("prompt_ids"));
        CliTestSupport.Run r = run("tokenize", "--model", model("tiny-gemma3"),
                "--text", "The quick brown fox jumps over the lazy dog.", "--no-bos");
        assertEquals(0, r.exit(), r::toString);
        assertArrayEquals(Arrays.copyOfRange(expected, 1, expected.length), ints(r.json()));
    }
}
