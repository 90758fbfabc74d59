package dcgan.train;

/**
 * Asked on the training thread before every step whether the run should stop there; a stopped run saves
 * a checkpoint of the steps done and returns. The command line answers from a flag that its Ctrl-C
 * handler sets (a signal thread must not touch the backend, so it only asks); tests stop at a given step.
 */
@FunctionalInterface
public interface StopCheck {

    StopCheck NEVER = stepsDone -> false;

    /** @param stepsDone global steps finished so far */
    boolean stopBefore(long stepsDone);

    /**
     * Asked once, when the run's first step is done and the run is about to change its output directory for
     * the first time (keep or delete an earlier run's files, mend its logs, log the step). Until then a stop
     * leaves the directory as it was, so a signal may end the process at once; from then on a stop waits for
     * the step in progress and the checkpoint. False: the run stops here, before it writes anything.
     */
    default boolean startWriting() {
        return true;
    }
}
