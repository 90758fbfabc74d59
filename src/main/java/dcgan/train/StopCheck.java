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
}
