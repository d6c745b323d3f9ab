package dev.gemma4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemma4j.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.StreamSupport;

/** Runs the CLI in-process with captured output, and reads the golden files. */
final class CliTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private CliTestSupport() {
    }

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Run runWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Gemma4jCli.newCommandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return runWithInput("", args);
    }

    static String model(String name) {
        return Fixtures.model(name).toString();
    }

    /** The prompt named {@code name} in {@code golden/numpy.json} of a fixture model. */
    static JsonNode goldenPrompt(String model, String name) {
        try {
            JsonNode root = JSON.readTree(Fixtures.golden(model, "numpy.json").toFile());
            return StreamSupport.stream(root.get("prompts").spliterator(), false)
                    .filter(p -> p.get("name").asText().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no prompt " + name + " in " + model + " numpy.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).intValue();
        }
        return a;
    }

    static String csv(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(id);
        }
        return sb.toString();
    }
}
