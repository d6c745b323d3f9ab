package dev.gemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gemma4j bench}: prefill and decode speed, following the protocol of the shared llama.cpp anchor
 * (tools/refgemma/PERF.md) so that both can be compared on the same file: pseudo-random prompts from the
 * same generator, one warm-up round, then repetitions of (prefill P tokens, decode G tokens after an
 * 8-token prompt), greedy, stop tokens off.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures prefill and decode tokens/s, load time, memory and effective bandwidth.")
public final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ModelOptions model;

    @Option(names = "--prompt-tokens", defaultValue = "512", paramLabel = "P",
            description = "Prompt length of the prefill runs, <bos> included (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", paramLabel = "G",
            description = "Tokens timed in the decode runs (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "N",
            description = "Timed repetitions (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--llamacpp", paramLabel = "FILE",
            description = "JSON written by refgemma's js/bench_llamacpp.mjs --out on the same file: prints the ratios.")
    Path llamacpp;

    @Option(names = "--bandwidth", paramLabel = "GB/s",
            description = "Measured memory read bandwidth (e.g. membw, 2 threads): prints decode as a share of the bound.")
    Double bandwidth;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (promptTokens < 2 || genTokens < 1 || repeat < 1) {
            throw new IllegalArgumentException("--prompt-tokens must be >= 2, --gen-tokens and --repeat >= 1");
        }
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("--format must be text or json, got '" + format + "'");
        }
        long t0 = System.nanoTime();
        try (GemmaModel m = model.load()) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            // Warm-up: compiles the kernels and pulls the mapped weights into memory.
            run(m, prompt(1000, Math.min(promptTokens, 128)), 1);
            run(m, prompt(2000, 8), Math.min(genTokens, 16) + 1);
            double[] prefill = new double[repeat];
            double[] decode = new double[repeat];
            for (int r = 0; r < repeat; r++) {
                prefill[r] = run(m, prompt(r, promptTokens), 1).timings().prefillTokensPerSecond();
                // genTokens + 1: the first token comes from the prompt's logits; then genTokens decode steps.
                decode[r] = run(m, prompt(100 + r, 8), genTokens + 1).timings().decodeTokensPerSecond();
            }
            report(m, loadMs, prefill, decode);
        }
        return 0;
    }

    private static GenerationResult run(GemmaModel m, int[] prompt, int tokens) {
        return m.generate(prompt, GenerationOptions.builder().maxTokens(tokens).defaultStopTokens(false).build());
    }

    /** PERF.md's prompts: {@code <bos>} then ids from a 32-bit LCG seeded by the salt, in [1000, 200000). */
    static int[] prompt(int salt, int length) {
        int[] ids = new int[length];
        ids[0] = 2;
        long x = (12345L + 7919L * salt) & 0xFFFFFFFFL;
        for (int i = 1; i < length; i++) {
            x = (1664525L * x + 1013904223L) & 0xFFFFFFFFL;
            ids[i] = (int) (1000 + x % 199000);
        }
        return ids;
    }

    private void report(GemmaModel m, double loadMs, double[] prefill, double[] decode) throws IOException {
        long bytes = m.weightBytesPerToken();
        double[] p = stats(prefill);
        double[] d = stats(decode);
        long rss = residentBytes();
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            ObjectNode o = JSON.createObjectNode();
            o.put("engine", m.engineName());
            o.put("model", model.path().toString());
            o.put("threads", model.gemmaOptions().threads());
            o.put("load_ms", loadMs);
            o.put("prompt_tokens", promptTokens);
            o.put("gen_tokens", genTokens);
            o.put("repeat", repeat);
            o.set("prefill_tokens_per_s", JSON.valueToTree(statsMap(p)));
            o.set("decode_tokens_per_s", JSON.valueToTree(statsMap(d)));
            o.put("bytes_per_token", bytes);
            o.put("effective_gb_per_s", d[1] * bytes / 1e9);
            o.put("resident_bytes", rss);
            if (bandwidth != null) {
                o.put("bandwidth_gb_per_s", bandwidth);
                o.put("decode_share_of_bound", d[1] * bytes / 1e9 / bandwidth);
            }
            LlamaCpp ref = llamaCpp();
            if (ref != null) {
                o.put("llamacpp_prefill_tokens_per_s", ref.prefill());
                o.put("llamacpp_decode_tokens_per_s", ref.decode());
                o.put("prefill_ratio", p[1] / ref.prefill());
                o.put("decode_ratio", d[1] / ref.decode());
            }
            out.println(JSON.writeValueAsString(o));
        } else {
            out.printf(Locale.ROOT, "engine %s, %d threads, model %s%n", m.engineName(),
                    model.gemmaOptions().threads(), model.path());
            out.printf(Locale.ROOT, "load            %10.0f ms%n", loadMs);
            out.printf(Locale.ROOT, "prefill %4d tok %10.2f tok/s (min %.2f, max %.2f)%n", promptTokens, p[1], p[0], p[2]);
            out.printf(Locale.ROOT, "decode  %4d tok %10.2f tok/s (min %.2f, max %.2f)%n", genTokens, d[1], d[0], d[2]);
            out.printf(Locale.ROOT, "weights read per token %.3f GB, effective %.2f GB/s (median decode)%n",
                    bytes / 1e9, d[1] * bytes / 1e9);
            out.printf(Locale.ROOT, "resident memory %.0f MB%n", rss / 1e6);
            if (bandwidth != null) {
                out.printf(Locale.ROOT, "decode at %.0f%% of the %.1f GB/s bandwidth bound%n",
                        100 * d[1] * bytes / 1e9 / bandwidth, bandwidth);
            }
            LlamaCpp ref = llamaCpp();
            if (ref != null) {
                out.printf(Locale.ROOT, "llama.cpp same file: prefill %.2f tok/s (ratio %.2f), decode %.2f tok/s (ratio %.2f)%n",
                        ref.prefill(), p[1] / ref.prefill(), ref.decode(), d[1] / ref.decode());
            }
        }
    }

    /** Medians from bench_llamacpp.mjs's JSON, for the prefill length this run uses. */
    private record LlamaCpp(double prefill, double decode) {
    }

    private LlamaCpp llamaCpp() throws IOException {
        if (llamacpp == null) {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode summary = JSON.readTree(llamacpp.toFile()).path("summary");
        com.fasterxml.jackson.databind.JsonNode prefill = summary.path("prefill_" + promptTokens).path("tok_s").path("median");
        com.fasterxml.jackson.databind.JsonNode decode = summary.path("decode").path("tok_s").path("median");
        if (!prefill.isNumber() || !decode.isNumber()) {
            throw new IllegalArgumentException(llamacpp + ": no summary.prefill_" + promptTokens
                    + ".tok_s.median / summary.decode.tok_s.median (run bench_llamacpp.mjs with --prefill "
                    + promptTokens + ")");
        }
        return new LlamaCpp(prefill.asDouble(), decode.asDouble());
    }

    /** min, median, max. */
    private static double[] stats(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return new double[] {s[0], s[s.length / 2], s[s.length - 1]};
    }

    private static java.util.Map<String, Double> statsMap(double[] s) {
        return java.util.Map.of("min", s[0], "median", s[1], "max", s[2]);
    }

    /** VmRSS from /proc (Linux); 0 where it is not available. */
    private static long residentBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(status));
        for (String line : lines) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
