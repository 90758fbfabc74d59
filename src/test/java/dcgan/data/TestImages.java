package dcgan.data;

import java.util.List;
import java.util.SplittableRandom;

/** Image sets for tests that need images of some shape but not of anything in particular. */
public final class TestImages {

    private TestImages() {
    }

    /** {@code count} unlabelled images of random pixels, {@code channels x size x size}, from {@code seed}. */
    public static ImageSet random(long seed, int count, int channels, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[count * channels * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        return ImageSet.of(pixels, channels, size, null, List.of(), "random pixels");
    }
}
