package dcgan.train;

import dcgan.backend.Backend;
import dcgan.model.Generator;
import dcgan.model.ModelSpec;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

import java.io.IOException;

/**
 * Draws images from a saved generator in inference mode (batch norm with its moving averages), for the
 * {@code generate} command. Each image depends only on its own noise vector, so any number of images is
 * drawn in batches of at most {@value #BATCH}, handed on as they are drawn, without holding them all.
 */
public final class Generation {

    /** Images per forward pass: bounds the memory of the activations and of the noise. */
    static final int BATCH = 256;

    /** The noise of images {@code [first, first + n)}: {@code n x zDim} values, image i's at {@code i * zDim}. */
    @FunctionalInterface
    public interface Noise {
        float[] of(int first, int n);
    }

    /** Takes each batch of drawn images ({@code [n, C, S, S]} floats in [0, 1], C order) as it comes. */
    @FunctionalInterface
    public interface Images {
        void take(int first, int n, float[] images) throws IOException;
    }

    private Generation() {
    }

    /**
     * The default noise, in the model's distribution (U(-1, 1) or N(0, 1)), from the generator's own stream
     * ({@link CounterRng#STREAM_GENERATE}, step 0) under {@code seed}, image i's vector at elements
     * {@code [i * zDim, (i + 1) * zDim)} of the stream, so that image i's noise does not depend on how many
     * images are drawn.
     */
    public static Noise noise(long seed, ModelSpec model) {
        return noise(seed, model, CounterRng.STREAM_GENERATE);
    }

    /** The model's noise from one stream under {@code seed}, laid out as {@link #noise(long, ModelSpec)}'s. */
    public static Noise noise(long seed, ModelSpec model, int stream) {
        CounterRng rng = new CounterRng(seed);
        int zDim = model.zDim();
        boolean uniform = model.noise() == ModelSpec.Noise.UNIFORM;
        return (first, n) -> {
            float[] z = new float[Math.multiplyExact(n, zDim)];
            if (uniform) {
                rng.fillUniform(z, 0, (long) first * zDim, z.length, -1f, 1f, stream, 0);
            } else {
                rng.fillNormal(z, 0, (long) first * zDim, z.length, stream, 0);
            }
            return z;
        };
    }

    /**
     * Rows of {@code steps} noise vectors, row r walking in equal steps from vector {@code 2r} of {@code ends} to
     * vector {@code 2r + 1}: {@code z = (1 - t) a + t b} for t = 0, 1/(steps-1), ..., 1.
     */
    public static Noise interpolated(Noise ends, int steps, int zDim) {
        if (steps < 2) {
            throw new IllegalArgumentException("an interpolation needs at least 2 steps, got " + steps);
        }
        return (first, n) -> {
            float[] z = new float[Math.multiplyExact(n, zDim)];
            for (int i = 0; i < n; i++) {
                int image = first + i;
                int row = image / steps;
                float t = (image % steps) / (float) (steps - 1);
                float[] ab = ends.of(2 * row, 2);
                for (int k = 0; k < zDim; k++) {
                    z[i * zDim + k] = (1 - t) * ab[k] + t * ab[zDim + k];
                }
            }
            return z;
        };
    }

    /** Noise from an array holding every image's vector. */
    public static Noise noise(float[] all, int zDim) {
        return (first, n) -> java.util.Arrays.copyOfRange(all, first * zDim, (first + n) * zDim);
    }

    /** Draws {@code count} images for the given noise, a batch at a time, into {@code images}. */
    public static void sample(Backend backend, GeneratorWeights weights, Noise noise, int count, Images images)
            throws IOException {
        // The init stream is never used: the values come from the checkpoint, not from initialise().
        try (NetworkState g = new NetworkState(backend, Generator.layout(weights.model()), CounterRng.STREAM_INIT_BASE)) {
            backend.upload(weights.params(), 0, g.params());
            backend.upload(weights.buffers(), 0, g.buffers());
            sample(backend, g, weights.model(), noise, count, images);
        }
    }

    /** As above, from a generator's state on the backend (a training run's, say). */
    public static void sample(Backend backend, NetworkState g, ModelSpec model, Noise noise, int count, Images images)
            throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        int full = Math.min(count, BATCH);
        try (Sampler batch = new Sampler(backend, g, model, full)) {
            int done = 0;
            for (; done + full <= count; done += full) {
                images.take(done, full, batch.sample(noise.of(done, full)));
            }
            if (done < count) {
                try (Sampler rest = new Sampler(backend, g, model, count - done)) {
                    images.take(done, count - done, rest.sample(noise.of(done, count - done)));
                }
            }
        }
    }

    /** {@code count} images {@code [count, C, S, S]} in [0, 1], all in one array. */
    public static float[] sample(Backend backend, GeneratorWeights weights, Noise noise, int count) throws IOException {
        int per = weights.model().pixelsPerImage();
        float[] all = new float[Math.multiplyExact(count, per)];
        sample(backend, weights, noise, count, (first, n, drawn) -> System.arraycopy(drawn, 0, all, first * per, drawn.length));
        return all;
    }
}
