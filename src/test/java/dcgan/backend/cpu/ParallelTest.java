package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Parallel}: every task exactly once, failures rethrown, the single-thread path, range splitting. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ParallelTest {

    @Test
    void forEachRunsEveryTaskExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Parallel p = new Parallel(threads)) {
                assertEquals(threads, p.threads());
                for (int tasks : new int[] {0, 1, 2, 3, 7, 1000}) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(tasks, 1));
                    p.forEach(tasks, i -> runs.incrementAndGet(i));
                    // forEach has returned: every task has finished, none twice.
                    for (int i = 0; i < tasks; i++) {
                        assertEquals(1, runs.get(i), "threads " + threads + ", tasks " + tasks + ": task " + i);
                    }
                }
            }
        }
    }

    @Test
    void forEachWaitsForSlowTasksOnWorkers() {
        try (Parallel p = new Parallel(3)) {
            AtomicIntegerArray done = new AtomicIntegerArray(12);
            p.forEach(12, i -> {
                sleep(5);
                done.set(i, 1);
            });
            for (int i = 0; i < 12; i++) {
                assertEquals(1, done.get(i), "task " + i + " had not finished when forEach returned");
            }
        }
    }

    @Test
    void workerThreadsTakePart() {
        try (Parallel p = new Parallel(3)) {
            Thread caller = Thread.currentThread();
            CountDownLatch workerRan = new CountDownLatch(1);
            AtomicInteger onWorkers = new AtomicInteger();
            p.forEach(50, i -> {
                if (Thread.currentThread() != caller) {
                    onWorkers.incrementAndGet();
                    workerRan.countDown();
                } else {
                    await(workerRan);
                }
            });
            assertTrue(onWorkers.get() > 0, "no task ran on a worker thread");
        }
    }

    @Test
    void singleThreadRunsInOrderOnTheCaller() {
        try (Parallel p = new Parallel(1)) {
            Thread caller = Thread.currentThread();
            List<Integer> order = new ArrayList<>();
            p.forEach(100, i -> {
                assertSame(caller, Thread.currentThread());
                order.add(i);
            });
            assertEquals(100, order.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, order.get(i));
            }
        }
    }

    @Test
    void failureOnTheCallingThreadPropagates() {
        for (int threads : new int[] {1, 3}) {
            try (Parallel p = new Parallel(threads)) {
                IllegalStateException boom = new IllegalStateException("boom");
                IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> p.forEach(20, i -> {
                    throw boom;
                }));
                assertSame(boom, thrown);
                // The pool still works afterwards.
                AtomicInteger count = new AtomicInteger();
                p.forEach(20, i -> count.incrementAndGet());
                assertEquals(20, count.get());
            }
        }
    }

    @Test
    void failureOnAWorkerThreadPropagates() {
        try (Parallel p = new Parallel(3)) {
            Thread caller = Thread.currentThread();
            CountDownLatch workerFailed = new CountDownLatch(1);
            IllegalArgumentException boom = new IllegalArgumentException("worker failure");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> p.forEach(50, i -> {
                if (Thread.currentThread() != caller) {
                    workerFailed.countDown();
                    throw boom;
                }
                // The caller's tasks wait until a worker has failed, so the failure surely comes from a worker.
                await(workerFailed);
            }));
            assertSame(boom, thrown);
            AtomicInteger count = new AtomicInteger();
            p.forEach(50, i -> count.incrementAndGet());
            assertEquals(50, count.get());
        }
    }

    @Test
    void anErrorOnTheCallingThreadStillWaitsForTheWorkers() {
        // forEach returns (here: throws) only when no task is running any more, even when the failure on the
        // calling thread is an Error rather than a RuntimeException; otherwise workers would go on writing
        // into arrays the caller already considers finished.
        try (Parallel p = new Parallel(3)) {
            Thread caller = Thread.currentThread();
            CountDownLatch workerStarted = new CountDownLatch(1);
            AtomicInteger running = new AtomicInteger();
            AssertionError boom = new AssertionError("caller failure");
            AssertionError thrown = assertThrows(AssertionError.class, () -> p.forEach(3, i -> {
                if (Thread.currentThread() == caller) {
                    await(workerStarted);
                    throw boom;
                }
                running.incrementAndGet();
                workerStarted.countDown();
                sleep(300);
                running.decrementAndGet();
            }));
            assertSame(boom, thrown);
            assertEquals(0, running.get(), "forEach returned while a worker task was still running");
        }
    }

    @Test
    void anErrorOnAWorkerIsRethrownAsItself() {
        try (Parallel p = new Parallel(3)) {
            Thread caller = Thread.currentThread();
            CountDownLatch workerFailed = new CountDownLatch(1);
            StackOverflowError boom = new StackOverflowError("worker error");
            StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> p.forEach(20, i -> {
                if (Thread.currentThread() != caller) {
                    workerFailed.countDown();
                    throw boom;
                }
                await(workerFailed);
            }));
            assertSame(boom, thrown);
        }
    }

    @Test
    void oneFailingTaskOfManyIsReported() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallel p = new Parallel(threads)) {
                RuntimeException thrown = assertThrows(RuntimeException.class, () -> p.forEach(500, i -> {
                    if (i == 317) {
                        throw new ArithmeticException("task 317");
                    }
                }));
                assertEquals("task 317", thrown.getMessage());
            }
        }
    }

    @Test
    void forRangeCoversEachIndexOnceInContiguousRanges() {
        for (int threads : new int[] {1, 3}) {
            try (Parallel p = new Parallel(threads)) {
                for (int n : new int[] {0, 1, 2, 5, 11, 12, 13, 1000}) {
                    for (int chunks : new int[] {1, 2, 3, 12, 100}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                        AtomicInteger ranges = new AtomicInteger();
                        p.forRange(n, chunks, (from, to) -> {
                            if (from > to || from < 0 || to > n) {
                                fail("bad range [" + from + ", " + to + ") of " + n);
                            }
                            ranges.incrementAndGet();
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        assertTrue(ranges.get() <= Math.max(1, Math.min(chunks, n)), "too many ranges");
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "n " + n + ", chunks " + chunks + ": index " + i);
                        }
                    }
                    AtomicInteger covered = new AtomicInteger();
                    p.forRange(n, (from, to) -> covered.addAndGet(to - from));
                    assertEquals(n, covered.get(), "default split of " + n);
                }
            }
        }
    }

    @Test
    void threadCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
        assertThrows(IllegalArgumentException.class, () -> new Parallel(-2));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no worker thread ran a task within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
