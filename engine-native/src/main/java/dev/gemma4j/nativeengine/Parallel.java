package dev.gemma4j.nativeengine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The engine's bounded worker pool ({@code gemma.threads} workers), shared by every session of a model.
 * Work is split into contiguous index ranges so that each worker streams through its own slice of a
 * weight matrix.
 */
final class Parallel implements AutoCloseable {
    /** A body over {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, total)} split into about four ranges per worker, none smaller than
     * {@code minGrain} (below that, scheduling costs more than the work).
     */
    void forRange(int total, int minGrain, RangeBody body) {
        int grain = Math.max(minGrain, (total + threads * 4 - 1) / (threads * 4));
        if (pool == null || total <= grain) {
            body.run(0, total);
            return;
        }
        if (ForkJoinTask.getPool() == pool) {
            // Already on one of our workers (nested parallel section): split here instead of re-entering.
            new Split(0, total, grain, body).compute();
        } else {
            pool.invoke(new Split(0, total, grain, body));
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private static final class Split extends RecursiveAction {
        private final int from;
        private final int to;
        private final int grain;
        private final transient RangeBody body;

        Split(int from, int to, int grain, RangeBody body) {
            this.from = from;
            this.to = to;
            this.grain = grain;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                body.run(from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Split(from, mid, grain, body), new Split(mid, to, grain, body));
        }
    }
}
