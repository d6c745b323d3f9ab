package dev.gemma4j.nativeengine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's bounded worker pool: {@code gemma.threads - 1} daemon threads plus the calling thread,
 * shared by every session of a model. A decode step runs a few hundred short parallel sections (one per
 * matrix product), so handing work over must cost microseconds: the caller takes part in the work itself,
 * workers pick chunks of rows from a shared counter (which also evens out a core slowed by other load) and
 * spin briefly before parking, so that the next section finds them awake. One section runs at a time;
 * sessions on other threads queue for the pool, which has all the cores anyway.
 */
final class Parallel implements AutoCloseable {
    /** A body over {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker spins before it parks: a little longer than the gap between two products. */
    private static final long SPIN_NANOS = 200_000;

    /** Set while a thread runs a section's chunks: a body that itself asks for a section runs it inline. */
    private static final ThreadLocal<Boolean> IN_SECTION = ThreadLocal.withInitial(() -> false);

    private final int threads;
    private final Thread[] workers;
    private final Object sectionLock = new Object();
    private volatile Section section;
    private volatile boolean closed;

    Parallel(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("gemma4j-native-" + (i + 1)).start(this::work);
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, total)} in chunks of at least {@code minGrain} indices, rounded to a
     * multiple of 4 so that kernels working on four rows at a time keep doing so.
     */
    void forRange(int total, int minGrain, RangeBody body) {
        int grain = Math.max(minGrain, (total + threads * 8 - 1) / (threads * 8));
        grain = (grain + 3) & ~3;
        if (workers.length == 0 || total <= grain || IN_SECTION.get()) {
            body.run(0, total);
            return;
        }
        synchronized (sectionLock) {
            if (closed) {
                throw new IllegalStateException("the engine is closed");
            }
            Section s = new Section(total, grain, body, workers.length);
            section = s;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            s.runChunks();
            while (s.running.get() > 0) {
                Thread.onSpinWait();
            }
            section = null;
            Throwable failure = s.failure.get();
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }

    private void work() {
        Section done = null;
        long idleSince = System.nanoTime();
        while (!closed) {
            Section s = section;
            if (s != null && s != done) {
                s.runChunks();
                s.running.decrementAndGet();
                done = s;
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
                idleSince = System.nanoTime();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** One parallel section: chunks handed out by a counter, and the workers that have not finished. */
    private static final class Section {
        final int total;
        final int grain;
        final RangeBody body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger running;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Section(int total, int grain, RangeBody body, int workers) {
            this.total = total;
            this.grain = grain;
            this.body = body;
            this.running = new AtomicInteger(workers);
        }

        void runChunks() {
            IN_SECTION.set(true);
            try {
                runAll();
            } finally {
                IN_SECTION.set(false);
            }
        }

        private void runAll() {
            int from;
            while ((from = next.getAndAdd(grain)) < total && failure.get() == null) {
                try {
                    body.run(from, Math.min(total, from + grain));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        }
    }
}
