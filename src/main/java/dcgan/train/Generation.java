package dcgan.train;

import dcgan.backend.Backend;
import dcgan.model.Generator;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

import java.util.Arrays;

/**
 * Draws images from a saved generator in inference mode (batch norm with its moving averages), for the
 * {@code generate} command. Each image depends only on its own noise vector, so any number of images is
 * drawn in batches of at most {@value #BATCH} without changing the result beyond float rounding.
 */
public final class Generation {

    /** Images per forward pass: bounds the memory of the activations for large counts. */
    static final int BATCH = 256;

    private Generation() {
    }

    /**
     * The default noise: {@code count x zDim} values of U(-1, 1) from the generator's own stream
     * ({@link CounterRng#STREAM_GENERATE}, step 0) under {@code seed}, image i's vector at {@code i * zDim}.
     */
    public static float[] noise(long seed, int count, int zDim) {
        return new CounterRng(seed).uniform(Math.multiplyExact(count, zDim), -1f, 1f, CounterRng.STREAM_GENERATE, 0);
    }

    /** {@code count} images of 28x28 in [0, 1] (C order, image i at {@code i * 784}) for the given noise. */
    public static float[] sample(Backend backend, GeneratorWeights weights, float[] noise, int count) {
        int zDim = weights.zDim();
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        if (noise.length != (long) count * zDim) {
            throw new IllegalArgumentException("noise has " + noise.length + " values, expected " + count + " x " + zDim);
        }
        float[] images = new float[Math.multiplyExact(count, 28 * 28)];
        // The init stream is never used: the values come from the checkpoint, not from initialise().
        try (NetworkState g = new NetworkState(backend, Generator.layout(zDim), CounterRng.STREAM_INIT_BASE)) {
            backend.upload(weights.params(), 0, g.params());
            backend.upload(weights.buffers(), 0, g.buffers());
            int full = Math.min(count, BATCH);
            try (Sampler batch = new Sampler(backend, g, full, zDim)) {
                int done = 0;
                for (; done + full <= count; done += full) {
                    drawInto(batch, noise, done, full, zDim, images);
                }
                if (done < count) {
                    try (Sampler rest = new Sampler(backend, g, count - done, zDim)) {
                        drawInto(rest, noise, done, count - done, zDim, images);
                    }
                }
            }
        }
        return images;
    }

    private static void drawInto(Sampler sampler, float[] noise, int first, int n, int zDim, float[] images) {
        float[] z = Arrays.copyOfRange(noise, first * zDim, (first + n) * zDim);
        float[] drawn = sampler.sample(z);
        System.arraycopy(drawn, 0, images, first * 28 * 28, drawn.length);
    }
}
