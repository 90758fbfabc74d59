package dcgan.train;

/**
 * How training steps are carried out on the backend. Neither setting changes what is computed, only how
 * much the host does per step; both are off by default.
 *
 * @param captureSteps capture each half-step's gradient computation once and replay it (a CUDA graph on
 *                     the GPU; see {@link GanTrainer})
 * @param dataOnDevice upload the whole dataset to the backend once and take each batch from there,
 *                     instead of copying every batch from the host
 */
public record StepExecution(boolean captureSteps, boolean dataOnDevice) {

    /** Every step queued operation by operation, every batch copied from the host. */
    public static final StepExecution DEFAULT = new StepExecution(false, false);

    /** One line for logs, e.g. "CUDA graphs, data on the device". */
    public String describe() {
        if (!captureSteps && !dataOnDevice) {
            return "steps queued op by op, batches copied from the host";
        }
        return (captureSteps ? "captured steps" : "steps queued op by op") + ", "
               + (dataOnDevice ? "dataset on the device" : "batches copied from the host");
    }
}
