package dcgan.model;

import dcgan.backend.Tensor;
import dcgan.data.PixelRange;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Which GAN a run trains: the shape of its images, and with it the networks ({@link Generator#layers},
 * {@link Discriminator#layers}), the noise G reads, the range of G's images, and the training recipe.
 * Two families (docs/model.md):
 * <ul>
 *   <li>{@link Family#NOTEBOOK}: the notebook's model for 28x28 images, grey (its digits) or colour;</li>
 *   <li>{@link Family#DCGAN}: the DCGAN of Radford et al. as PyTorch's {@code examples/dcgan} builds it, for
 *       32x32 and 64x64 images, grey or colour, {@code ngf} and {@code ndf} wide.</li>
 * </ul>
 *
 * @param ngf G's width: its last hidden layer has ngf channels, its first 8 ngf (DCGAN only; 0 otherwise)
 * @param ndf D's width, the mirror of G's (DCGAN only; 0 otherwise)
 */
public record ModelSpec(Family family, int imageSize, int channels, int zDim, int ngf, int ndf) {

    /** The image sizes there is a model for. */
    public static final List<Integer> IMAGE_SIZES = List.of(28, 32, 64);
    public static final int DEFAULT_WIDTH = 64;
    public static final int DEFAULT_Z_DIM = 100;
    /** The notebook's model on MNIST's digits, 1 channel, z of 100. */
    public static final ModelSpec MNIST = notebook(1, DEFAULT_Z_DIM);

    public enum Family {
        NOTEBOOK("notebook"), DCGAN("dcgan");

        private final String id;

        Family(String id) {
            this.id = id;
        }

        /** The name a checkpoint records. */
        public String id() {
            return id;
        }

        public static Family ofId(String id) {
            for (Family f : values()) {
                if (f.id.equals(id)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("no model family '" + id + "' (have notebook, dcgan)");
        }
    }

    /** What G's noise is drawn from. */
    public enum Noise {
        /** U(-1, 1), the notebook's. */
        UNIFORM,
        /** N(0, 1), PyTorch's example's. */
        NORMAL
    }

    public ModelSpec {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("a model draws 1 or 3 channels, not " + channels);
        }
        if (zDim < 1) {
            throw new IllegalArgumentException("z dimension must be at least 1, got " + zDim);
        }
        switch (family) {
            case NOTEBOOK -> {
                if (imageSize != 28 || ngf != 0 || ndf != 0) {
                    throw new IllegalArgumentException("the notebook's model is for 28x28 images and has no ngf/ndf: "
                            + imageSize + ", " + ngf + ", " + ndf);
                }
            }
            case DCGAN -> {
                if (imageSize != 32 && imageSize != 64) {
                    throw new IllegalArgumentException("the DCGAN is for 32x32 and 64x64 images, not " + imageSize);
                }
                if (ngf < 1 || ndf < 1) {
                    throw new IllegalArgumentException("ngf and ndf must be at least 1, got " + ngf + " and " + ndf);
                }
            }
        }
    }

    /** The notebook's model (docs/model.md) for 28x28 images of {@code channels}. */
    public static ModelSpec notebook(int channels, int zDim) {
        return new ModelSpec(Family.NOTEBOOK, 28, channels, zDim, 0, 0);
    }

    /** The DCGAN of PyTorch's example for {@code imageSize} (32 or 64) images of {@code channels}. */
    public static ModelSpec dcgan(int imageSize, int channels, int zDim, int ngf, int ndf) {
        return new ModelSpec(Family.DCGAN, imageSize, channels, zDim, ngf, ndf);
    }

    /** The model for images of this size: the notebook's at 28, the DCGAN at 32 and 64 (ngf, ndf ignored at 28). */
    public static ModelSpec forImages(int imageSize, int channels, int zDim, int ngf, int ndf) {
        return imageSize == 28 ? notebook(channels, zDim) : dcgan(imageSize, channels, zDim, ngf, ndf);
    }

    public List<Layer> generator() {
        return Generator.layers(this);
    }

    public List<Layer> discriminator() {
        return Discriminator.layers(this);
    }

    /** The range of G's images and of the real batches D is shown: [0, 1] (sigmoid) or [-1, 1] (tanh). */
    public PixelRange range() {
        return family == Family.NOTEBOOK ? PixelRange.UNIT : PixelRange.SYMMETRIC;
    }

    public Noise noise() {
        return family == Family.NOTEBOOK ? Noise.UNIFORM : Noise.NORMAL;
    }

    /**
     * Whether the G update reuses the images G drew for the D update, as PyTorch's example does, rather than
     * running G again on the same z as the notebook does. Both give G's update the same images (G has not changed
     * in between); running G again also moves its batch-norm averages a second time.
     */
    public boolean reusesGeneratedImages() {
        return family == Family.DCGAN;
    }

    /** Values per image: {@code channels x imageSize x imageSize}. */
    public int pixelsPerImage() {
        return channels * imageSize * imageSize;
    }

    /** The shape of a batch of images, {@code [batch, channels, size, size]}. */
    public int[] imageShape(int batch) {
        return new int[] {batch, channels, imageSize, imageSize};
    }

    /**
     * Multiply-adds of one training iteration per image (docs/model.md): G's forward passes (two, or one when
     * {@link #reusesGeneratedImages}), D's three, and the backward passes, each weight gradient and each input
     * gradient costing what the forward product does, less the input gradients nobody needs (of the real
     * images, and of G's noise).
     */
    public double multiplyAddsPerIteration() {
        long g = multiplyAdds(generator());
        long d = multiplyAdds(discriminator());
        long gFirst = firstProduct(generator());
        long dFirst = firstProduct(discriminator());
        long forwards = (reusesGeneratedImages() ? 1 : 2) * g + 3 * d;
        long dUpdate = 2 * (2 * d - dFirst);   // real and fake: weights and inputs, not the images'
        long gUpdate = d + (2 * g - gFirst);    // through D to the images, then G's weights and inputs, not z's
        return forwards + dUpdate + gUpdate;
    }

    private static long multiplyAdds(List<Layer> layers) {
        return layers.stream().mapToLong(Layer::multiplyAdds).sum();
    }

    private static long firstProduct(List<Layer> layers) {
        return layers.stream().mapToLong(Layer::multiplyAdds).filter(m -> m > 0).findFirst().orElse(0);
    }

    /** This model with another noise dimension. */
    public ModelSpec withZDim(int z) {
        return new ModelSpec(family, imageSize, channels, z, ngf, ndf);
    }

    /**
     * The largest buffer that training D and G holds at a batch size, on any backend: their layers' inputs,
     * outputs and weights, the CPU convolutions' im2col patch matrices, and their parameters.
     */
    public BufferSize largestBuffer(int batch) {
        return Network.largestBuffer("D", discriminator(), batch).max(Network.largestBuffer("G", generator(), batch));
    }

    /** The largest batch whose buffers ({@link #largestBuffer}) all fit; below 2 if none does. */
    public int maxBatchSize() {
        return largestFitting(this::largestBuffer);
    }

    /** The largest noise dimension whose buffers fit at the smallest batch, 2. */
    public int maxZDim() {
        return largestFitting(z -> withZDim(z).largestBuffer(2));
    }

    /** "X would hold N floats, more than one buffer can hold (M)". */
    public static String tooLarge(BufferSize b) {
        return b.what() + " would hold " + b.floats() + " floats, more than one buffer can hold (" + Tensor.MAX_SIZE
               + ")";
    }

    /**
     * Refuses a batch size or noise dimension whose buffers do not fit, naming the option, the buffer and the
     * largest value that fits.
     */
    public void requireFits(int batch) {
        int maxZ = maxZDim();
        if (zDim > maxZ) {
            throw new IllegalArgumentException("--z-dim " + zDim + " is too large: " + tooLarge(withZDim(zDim).largestBuffer(2))
                    + "; at most " + maxZ);
        }
        BufferSize largest = largestBuffer(batch);
        if (largest.floats() > Tensor.MAX_SIZE) {
            throw new IllegalArgumentException("--batch-size " + batch + " is too large: " + tooLarge(largest)
                    + "; at most " + maxBatchSize() + " images per batch"
                    + (zDim == DEFAULT_Z_DIM ? "" : " with --z-dim " + zDim) + " for " + describe());
        }
    }

    /**
     * The largest n >= 1 whose largest buffer fits {@link Tensor#MAX_SIZE}, or 0 if even 1 does not: buffers grow
     * with n, so a binary search finds it.
     */
    private static int largestFitting(IntFunction<BufferSize> largestAt) {
        if (largestAt.apply(1).floats() > Tensor.MAX_SIZE) {
            return 0;
        }
        int fits = 1;
        int tooMany = Integer.MAX_VALUE; // may fit too: checked last
        if (largestAt.apply(tooMany).floats() <= Tensor.MAX_SIZE) {
            return tooMany;
        }
        while (tooMany - fits > 1) {
            int mid = fits + (tooMany - fits) / 2;
            if (largestAt.apply(mid).floats() <= Tensor.MAX_SIZE) {
                fits = mid;
            } else {
                tooMany = mid;
            }
        }
        return fits;
    }

    /** e.g. "the notebook's 28x28 model (1 channel)", "DCGAN 64x64 (3 channels, ngf 64, ndf 64)". */
    public String describe() {
        String c = channels == 1 ? "1 channel" : channels + " channels";
        return family == Family.NOTEBOOK
                ? String.format(Locale.ROOT, "the notebook's 28x28 model (%s)", c)
                : String.format(Locale.ROOT, "DCGAN %dx%d (%s, ngf %d, ndf %d)", imageSize, imageSize, c, ngf, ndf);
    }
}
