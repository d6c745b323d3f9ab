package dev.gemma4j.cli;

import static dev.gemma4j.cli.CliTestSupport.model;
import static dev.gemma4j.cli.CliTestSupport.runWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChatCommandTest {
    private static final Pattern STATS =
            Pattern.compile("\\[(\\d+) tokens, [0-9.]+ tokens/s, finish: \\w+; prompt (\\d+) tokens, (\\d+) from cache]");

    @Test
    void twoRepliesAroundAReset() {
        CliTestSupport.Run r = runWithInput("hello\n/reset\nhi\n/exit\n", "chat", "--model", model("tiny-gemma3"),
                "--max-tokens", "6");
        assertEquals(0, r.exit(), r::toString);
        List<int[]> stats = stats(r.err());
        assertEquals(2, stats.size(), r::toString);
        assertTrue(r.err().contains("[conversation reset]"), r::toString);
        // After /reset the second turn starts from an empty cache again.
        assertEquals(0, stats.get(1)[2], r::toString);
        // Each reply ends with a newline on stdout.
        assertEquals(2, r.out().lines().count(), r::toString);
    }

    @Test
    void secondTurnReusesTheCache() {
        CliTestSupport.Run r = runWithInput("hello\nhow are you\n", "chat", "--model", model("tiny-gemma3"),
                "--max-tokens", "4", "--system", "Be brief.");
        assertEquals(0, r.exit(), r::toString);
        List<int[]> stats = stats(r.err());
        assertEquals(2, stats.size(), r::toString);
        assertTrue(stats.get(1)[2] > 0, () -> "second turn should reuse cached tokens\n" + r);
    }

    @Test
    void endOfInputQuits() {
        CliTestSupport.Run r = runWithInput("", "chat", "--model", model("tiny-gemma3"));
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.out());
    }

    private static List<int[]> stats(String err) {
        Matcher m = STATS.matcher(err);
        java.util.ArrayList<int[]> all = new java.util.ArrayList<>();
        while (m.find()) {
            all.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))});
        }
        return all;
    }
}
