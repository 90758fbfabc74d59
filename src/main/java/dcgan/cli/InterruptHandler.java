package dcgan.cli;

import dcgan.train.StopCheck;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns Ctrl-C (SIGINT) or SIGTERM during training into "finish the current step, save a checkpoint,
 * exit". The JVM runs shutdown hooks on its own thread, which must not touch the backend (a GPU context
 * belongs to the training thread), so the hook only raises a flag that the training loop reads between
 * steps, then waits until the command says, through {@link #finish}, how it ended. When the hook returns,
 * the JVM exits with 128 + the signal number (130 for Ctrl-C); when the command ended otherwise (the save
 * failed: status 1), the hook ends the JVM with that status instead, after the command has printed why.
 *
 * <p>Before the run's first step is done, the run has changed nothing in its output directory (see
 * {@link StopCheck#startWriting}) and has nothing to save, so a signal then (while the data loads, the scorer
 * trains, or a read blocks) ends the process at once. The run and this hook agree atomically on which of the
 * two it is.
 */
final class InterruptHandler implements AutoCloseable {

    /** How long the hook waits for the current step and the checkpoint; far more than either should take. */
    private static final long WAIT_MINUTES = 5;

    /** Before the run's first change to its directory; once it writes; stopped by a signal before it wrote. */
    private static final int SETTING_UP = 0;
    private static final int WRITING = 1;
    private static final int STOPPED_IN_SET_UP = 2;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicInteger phase = new AtomicInteger(SETTING_UP);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicInteger status = new AtomicInteger(TrainCommand.INTERRUPTED);
    private final Thread hook;

    private InterruptHandler(PrintStream out, PrintStream err, Path outDir) {
        hook = new Thread(() -> {
            requested.set(true);
            err.println();
            if (phase.compareAndSet(SETTING_UP, STOPPED_IN_SET_UP)) {
                err.println("interrupted before the first step: stopping now; " + outDir + " is as it was");
                out.flush();
                err.flush();
                return;
            }
            err.println("interrupted: finishing the current step, then saving a checkpoint...");
            err.flush();
            try {
                if (!finished.await(WAIT_MINUTES, TimeUnit.MINUTES)) {
                    err.println("gave up waiting after " + WAIT_MINUTES + " minutes; the last checkpoint written "
                                + "is intact (checkpoints are replaced atomically)");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (status.get() != TrainCommand.INTERRUPTED) {
                out.flush();
                err.flush();
                Runtime.getRuntime().halt(status.get());
            }
        }, "dcgan-interrupt");
    }

    /** Installs the hook for a run into {@code outDir}; {@link #close} removes it. */
    static InterruptHandler install(PrintStream out, PrintStream err, Path outDir) {
        InterruptHandler h = new InterruptHandler(out, err, outDir);
        Runtime.getRuntime().addShutdownHook(h.hook);
        return h;
    }

    boolean requested() {
        return requested.get();
    }

    /** Stops training before the next step once a signal has arrived; until the run writes, at once. */
    StopCheck stopCheck() {
        return new StopCheck() {
            @Override
            public boolean stopBefore(long stepsDone) {
                return requested.get();
            }

            @Override
            public boolean startWriting() {
                return phase.compareAndSet(SETTING_UP, WRITING);
            }
        };
    }

    /**
     * Called on the training thread once the command has reported how it ended: lets a waiting hook, and
     * so the JVM's exit, go on, with this exit status.
     */
    void finish(int exitStatus) {
        status.set(exitStatus);
        finished.countDown();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (a signal arrived): the hook has just been released.
        }
    }
}
