package dcgan.cli;

import dcgan.train.StopCheck;

import java.io.PrintStream;
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
 */
final class InterruptHandler implements AutoCloseable {

    /** How long the hook waits for the current step and the checkpoint; far more than either should take. */
    private static final long WAIT_MINUTES = 5;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicInteger status = new AtomicInteger(TrainCommand.INTERRUPTED);
    private final Thread hook;

    private InterruptHandler(PrintStream out, PrintStream err) {
        hook = new Thread(() -> {
            requested.set(true);
            err.println();
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

    /** Installs the hook; {@link #close} removes it. */
    static InterruptHandler install(PrintStream out, PrintStream err) {
        InterruptHandler h = new InterruptHandler(out, err);
        Runtime.getRuntime().addShutdownHook(h.hook);
        return h;
    }

    boolean requested() {
        return requested.get();
    }

    /** Stops training before the next step once a signal has arrived. */
    StopCheck stopCheck() {
        return stepsDone -> requested.get();
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
