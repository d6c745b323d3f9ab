package dev.gemma4j.nativeengine;

import dev.gemma4j.weights.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Throughput of one big matrix product (not a unit test): GB/s of weights read, and GFLOP/s for several
 * tokens. Run with {@code java --add-modules jdk.incubator.vector -cp ... QuantizedMatrixBench [types] [shapes]}.
 * Types: BF16,Q8_0,Q4_0,Q4_K,Q6_K; shapes: rowsxcols,...
 */
public final class QuantizedMatrixBench {
    private QuantizedMatrixBench() {
    }

    public static void main(String[] args) {
        String[] types = (args.length > 0 ? args[0] : "BF16,Q8_0,Q4_0").split(",");
        String[] shapes = (args.length > 1 ? args[1] : "262144x1152,9216x2304").split(",");
        int[] threadsList = java.util.Arrays.stream(System.getProperty("bench.threads", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        int[] tokensList = java.util.Arrays.stream(System.getProperty("bench.tokens", "1,16").split(",")).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "2"));
        System.out.println("species lanes " + QuantizedBlocks.L);
        if (types[0].equals("QUANTIZE")) {
            // Load-time quantization speed: BF16 -> Q8_0 / Q4_0 of the first shape, 2 workers.
            int rows = Integer.parseInt(shapes[0].split("x")[0]);
            int cols = Integer.parseInt(shapes[0].split("x")[1]);
            try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(2)) {
                Matrix src = make("BF16", rows, cols, arena);
                for (int rep = 0; rep < 2; rep++) {
                    for (var t : new dev.gemma4j.weights.DType[] {dev.gemma4j.weights.DType.Q8_0, dev.gemma4j.weights.DType.Q4_0}) {
                        try (Arena out = Arena.ofShared()) {
                            long t0 = System.nanoTime();
                            Quantizer.quantize(src, t, out, parallel);
                            double sec = (System.nanoTime() - t0) / 1e9;
                            System.out.printf("quantize BF16 %dx%d -> %s: %.3f s (%.0f M weights/s)%n", rows, cols, t, sec,
                                    (double) rows * cols / sec / 1e6);
                        }
                    }
                }
            }
            return;
        }
        for (String shape : shapes) {
            int rows = Integer.parseInt(shape.split("x")[0]);
            int cols = Integer.parseInt(shape.split("x")[1]);
            for (String type : types) {
                try (Arena shared = Arena.ofShared()) {
                    Arena arena = switch (System.getProperty("bench.arena", "shared")) {
                        case "global" -> Arena.global();
                        case "auto" -> Arena.ofAuto();
                        default -> shared;
                    };
                    Matrix m = make(type, rows, cols, arena);
                    for (int threads : threadsList) {
                        try (Parallel parallel = new Parallel(threads)) {
                            for (int n : tokensList) {
                                run(type, m, parallel, n, seconds);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void run(String type, Matrix m, Parallel parallel, int n, double seconds) {
        int rows = m.rows();
        int cols = m.cols();
        Random rnd = new Random(1);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] scratch = new float[n * cols];
        float[] out = new float[n * rows];
        Runnable once = () -> {
            float[] in = m.prepareInput(x, n, scratch);
            int grain = Math.max(1, 16384 / Math.max(1, cols * n));
            parallel.forRange(rows, grain, (from, to) -> m.multiply(in, n, out, rows, from, to));
        };
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmEnd) {
            once.run();
        }
        int reps = 0;
        long best = Long.MAX_VALUE;
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1e9 || reps < 3) {
            long t0 = System.nanoTime();
            once.run();
            best = Math.min(best, System.nanoTime() - t0);
            reps++;
        }
        double avg = (System.nanoTime() - start) / 1e9 / reps;
        double min = best / 1e9;
        System.out.printf("%-5s %7dx%-5d threads %d n %2d: best %8.3f ms %6.2f GB/s %7.2f GFLOP/s | mean %8.3f ms %6.2f GB/s %7.2f GFLOP/s%n",
                type, rows, cols, parallel.threads(), n, min * 1e3, m.bytes() / min / 1e9, 2.0 * n * rows * cols / min / 1e9,
                avg * 1e3, m.bytes() / avg / 1e9, 2.0 * n * rows * cols / avg / 1e9);
    }

    static Matrix make(String type, int rows, int cols, Arena arena) {
        Random rnd = new Random(7);
        switch (type) {
            case "BF16" -> {
                MemorySegment s = arena.allocate((long) rows * cols * 2, 64);
                for (long i = 0; i < (long) rows * cols; i++) {
                    float f = (float) rnd.nextGaussian() * 0.02f;
                    s.set(NativeLayouts.SHORT_LE, i * 2, (short) (Float.floatToRawIntBits(f) >>> 16));
                }
                return new Bf16Matrix(s, rows, cols);
            }
            case "F32" -> {
                MemorySegment s = arena.allocate((long) rows * cols * 4, 64);
                for (long i = 0; i < (long) rows * cols; i++) {
                    s.set(NativeLayouts.FLOAT_LE, i * 4, (float) rnd.nextGaussian() * 0.02f);
                }
                return new F32Matrix(s, rows, cols);
            }
            case "Q8_0", "Q4_0", "Q4_K", "Q6_K" -> {
                var dt = dev.gemma4j.weights.DType.valueOf(type);
                long nb = (long) rows * (cols / dt.blockSize());
                MemorySegment s = arena.allocate(nb * dt.blockBytes(), 64);
                byte[] block = new byte[dt.blockBytes()];
                for (long b = 0; b < nb; b++) {
                    rnd.nextBytes(block);
                    MemorySegment.copy(block, 0, s, ValueLayout.JAVA_BYTE, b * dt.blockBytes(), block.length);
                    short d = Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.01f);
                    long off = b * dt.blockBytes();
                    switch (type) {
                        case "Q8_0", "Q4_0" -> s.set(NativeLayouts.SHORT_LE, off, d);
                        case "Q4_K" -> {
                            s.set(NativeLayouts.SHORT_LE, off, d);
                            s.set(NativeLayouts.SHORT_LE, off + 2, d);
                        }
                        default -> s.set(NativeLayouts.SHORT_LE, off + 208, d);
                    }
                }
                return switch (type) {
                    case "Q8_0" -> new Q8_0Matrix(s, rows, cols);
                    case "Q4_0" -> new Q4_0Matrix(s, rows, cols);
                    case "Q4_K" -> new KQuantMatrix(s, rows, cols, DType.Q4_K);
                    default -> new KQuantMatrix(s, rows, cols, DType.Q6_K);
                };
            }
            default -> throw new IllegalArgumentException(type);
        }
    }
}
