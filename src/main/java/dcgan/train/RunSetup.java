package dcgan.train;

/**
 * What a checkpoint records about its run besides the optimisation constants: the seeds, the run's length,
 * the grid size, and which data it was trained on, so that a resumed run can continue the same run and
 * refuse to continue a different one.
 *
 * @param dataDir         the data directory as an absolute path, the default for a resumed run
 * @param dataImages      how many images the run trains on (with the batch size, the steps per epoch)
 * @param dataFingerprint {@link dcgan.data.MnistData#fingerprint()} of the shuffled images
 * @param keepEvery       the run's {@code --keep-every}, the default when it is resumed
 */
public record RunSetup(long seed, long shuffleSeed, int epochs, long maxSteps, int sampleCount, String dataDir,
                       int dataImages, String dataFingerprint, int keepEvery) {
}
