package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.model.Generator;
import dcgan.model.Mode;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

/**
 * Draws images from G in inference mode (batch norm with the moving averages), with its own batch size,
 * sharing the trained generator's parameters.
 */
public final class Sampler implements AutoCloseable {

    private final Backend backend;
    private final Generator generator;
    private final Tensor z;
    private final int count;
    private final int zDim;

    public Sampler(Backend backend, NetworkState generatorState, int count, int zDim) {
        this.backend = backend;
        this.count = count;
        this.zDim = zDim;
        this.generator = new Generator(backend, generatorState, count, zDim);
        this.z = backend.allocate(count, zDim);
    }

    /** The fixed noise for progress grids: the same every epoch, so grids are comparable. */
    public static float[] fixedNoise(CounterRng rng, int count, int zDim) {
        return rng.uniform(count * zDim, -1f, 1f, CounterRng.STREAM_SAMPLE_NOISE, 0);
    }

    /** {@code count} images of 28x28 in [0, 1] for noise {@code [count, zDim]}. */
    public float[] sample(float[] noise) {
        if (noise.length != count * zDim) {
            throw new IllegalArgumentException("noise has " + noise.length + " values, expected " + count + " x " + zDim);
        }
        backend.upload(noise, 0, z);
        return backend.download(generator.forward(z, Mode.INFERENCE));
    }

    @Override
    public void close() {
        generator.close();
        z.close();
    }
}
