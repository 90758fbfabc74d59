package dcgan.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one task per image on a few threads, saying every few seconds how far it has got, e.g.
 * "decoding 12,345 of 202,599 images (6%), 1,234 images/s, about 2 min left".
 */
final class Workers {

    /** The task for image {@code i}; tasks of different images run at the same time. */
    @FunctionalInterface
    interface Task {
        void run(int i) throws IOException;
    }

    private final int threads;
    private final PrintStream out;
    private final long intervalNanos;

    /**
     * @param interval seconds between progress lines; 0 for none
     */
    Workers(int threads, PrintStream out, double interval) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        this.threads = threads;
        this.out = out;
        this.intervalNanos = (long) (interval * 1e9);
    }

    /** As many threads as the machine has cores, a progress line every 5 seconds. */
    static Workers forMachine(PrintStream out) {
        return new Workers(Runtime.getRuntime().availableProcessors(), out, 5);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code task} for {@code 0 .. count - 1}, in blocks of neighbouring images. The first failure stops the
     * work (the blocks under way finish their image) and is thrown here.
     *
     * @param verb what is done, for the progress line: "decoding"
     * @param noun what it is done to, plural: "images"
     */
    void run(int count, String verb, String noun, Task task) throws IOException {
        if (count == 0) {
            return;
        }
        int block = Math.max(1, Math.min(64, count / (threads * 16)));
        int blocks = (count + block - 1) / block;
        int n = Math.min(threads, blocks);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(n);
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, verb);
            t.setDaemon(true); // a run stopped while loading ends without waiting for them
            return t;
        });
        try {
            for (int t = 0; t < n; t++) {
                pool.execute(() -> {
                    try {
                        for (int b = next.getAndIncrement(); b < blocks && failure.get() == null;
                             b = next.getAndIncrement()) {
                            for (int i = b * block, end = Math.min(count, i + block); i < end; i++) {
                                task.run(i);
                                done.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        finished.countDown();
                    }
                });
            }
            long start = System.nanoTime();
            if (intervalNanos > 0) {
                while (!finished.await(intervalNanos, TimeUnit.NANOSECONDS)) {
                    out.println(progress(verb, noun, done.get(), count, System.nanoTime() - start));
                }
            } else {
                finished.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(verb + " " + noun + " was interrupted");
        } finally {
            pool.shutdownNow();
        }
        Throwable f = failure.get();
        if (f instanceof IOException io) {
            throw io;
        }
        if (f instanceof UncheckedIOException u) {
            throw u.getCause();
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }

    /** "decoding 12,345 of 202,599 images (6%), 1,234 images/s, about 2 min left". */
    static String progress(String verb, String noun, int done, int count, long elapsedNanos) {
        String line = String.format(Locale.ROOT, "%s %,d of %,d %s (%d%%)", verb, done, count, noun,
                (int) (done * 100L / count));
        if (done == 0 || elapsedNanos <= 0) {
            return line;
        }
        double rate = done / (elapsedNanos / 1e9);
        return line + String.format(Locale.ROOT, ", %,d %s/s, about %s left", Math.round(rate), noun,
                duration((count - done) / rate));
    }

    /** "40 s", "2 min", "1 h 5 min". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        long minutes = Math.round(seconds / 60);
        if (minutes < 60) {
            return minutes + " min";
        }
        return minutes / 60 + " h " + minutes % 60 + " min";
    }
}
