package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.data.PixelRange;
import dcgan.model.Generator;
import dcgan.model.Mode;
import dcgan.model.ModelSpec;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

/**
 * Draws images from G in inference mode (batch norm with the moving averages), with its own batch size,
 * sharing the trained generator's parameters. Images come back in [0, 1], whatever the model's range.
 */
public final class Sampler implements AutoCloseable {

    private final Backend backend;
    private final ModelSpec model;
    private final Generator generator;
    private final Tensor z;
    private final int count;

    public Sampler(Backend backend, NetworkState generatorState, ModelSpec model, int count) {
        this.backend = backend;
        this.model = model;
        this.count = count;
        this.generator = new Generator(backend, generatorState, model, count);
        this.z = backend.allocate(count, model.zDim());
    }

    /** The fixed noise for progress grids, in the model's distribution: the same every epoch, so grids compare. */
    public static float[] fixedNoise(CounterRng rng, ModelSpec model, int count) {
        int n = Math.multiplyExact(count, model.zDim());
        return model.noise() == ModelSpec.Noise.UNIFORM
                ? rng.uniform(n, -1f, 1f, CounterRng.STREAM_SAMPLE_NOISE, 0)
                : rng.normal(n, CounterRng.STREAM_SAMPLE_NOISE, 0);
    }

    /** {@code count} images {@code [count, C, S, S]} in [0, 1] for noise {@code [count, zDim]}. */
    public float[] sample(float[] noise) {
        if (noise.length != count * model.zDim()) {
            throw new IllegalArgumentException("noise has " + noise.length + " values, expected " + count + " x "
                    + model.zDim());
        }
        backend.upload(noise, 0, z);
        float[] images = backend.download(generator.forward(z, Mode.INFERENCE));
        PixelRange range = model.range();
        if (range != PixelRange.UNIT) {
            for (int i = 0; i < images.length; i++) {
                images[i] = range.toUnit(images[i]);
            }
        }
        return images;
    }

    @Override
    public void close() {
        generator.close();
        z.close();
    }
}
