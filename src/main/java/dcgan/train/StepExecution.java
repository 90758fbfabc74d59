package dcgan.train;

/**
 * How training steps are carried out on the backend. None of the settings changes what is computed,
 * only how much the host does per step and how long the device waits for it; all are off by default.
 *
 * @param captureSteps capture each half-step's gradient computation once and replay it (a CUDA graph on
 *                     the GPU; see {@link GanTrainer})
 * @param dataOnDevice upload the whole dataset to the backend once and take each batch from there,
 *                     instead of copying every batch from the host
 * @param asyncLosses  read each step's losses back while the next step runs, instead of waiting for the
 *                     step to finish before queueing the next one (the logs are the same)
 */
public record StepExecution(boolean captureSteps, boolean dataOnDevice, boolean asyncLosses) {

    /** Every step queued operation by operation, every batch copied from the host, losses read at once. */
    public static final StepExecution DEFAULT = new StepExecution(false, false, false);

    public StepExecution(boolean captureSteps, boolean dataOnDevice) {
        this(captureSteps, dataOnDevice, false);
    }

    /** One line for logs, e.g. "captured steps, dataset on the device, losses read while the next step runs". */
    public String describe() {
        return (captureSteps ? "captured steps" : "steps queued op by op") + ", "
               + (dataOnDevice ? "dataset on the device" : "batches copied from the host")
               + (asyncLosses ? ", losses read while the next step runs" : "");
    }
}
