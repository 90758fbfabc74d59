package dcgan.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that runs the tasks 0..n-1 of a parallel loop, the calling thread
 * taking part. Each task writes disjoint outputs and sums in a fixed order, so results do not depend on
 * the number of threads or on scheduling.
 */
public final class Parallel implements AutoCloseable {

    private final int threads;
    private final ExecutorService workers;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "dcgan-cpu-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /** Runs body(i) for every i in [0, tasks), returning when all are done; rethrows the first failure. */
    public void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (workers == null || tasks == 1) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable drain = () -> {
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                body.accept(i);
            }
        };
        int helpers = Math.min(threads - 1, tasks - 1);
        List<Future<?>> pending = new ArrayList<>(helpers);
        for (int h = 0; h < helpers; h++) {
            pending.add(workers.submit(drain));
        }
        Throwable failure = null;
        try {
            drain.run();
        } catch (RuntimeException | Error e) {
            // Errors too: the helpers must be waited for before this returns, whatever the failure.
            failure = e;
            next.set(tasks); // let the helpers stop early
        }
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for worker threads", e);
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new RuntimeException(failure);
        }
    }

    /** Splits [0, n) into at most {@code chunks} contiguous ranges and runs body(from, to) for each. */
    public void forRange(int n, int chunks, RangeBody body) {
        int c = Math.max(1, Math.min(chunks, n));
        forEach(c, i -> body.run((int) ((long) n * i / c), (int) ((long) n * (i + 1) / c)));
    }

    /** Splits [0, n) into about four ranges per thread (for load balance). */
    public void forRange(int n, RangeBody body) {
        forRange(n, threads == 1 ? 1 : 4 * threads, body);
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
