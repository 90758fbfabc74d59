package dcgan.backend;

/**
 * Shape of one 4x4, stride-2, padding-1 convolution over a batch, the only convolution the model uses
 * (TensorFlow's SAME padding for even sizes). The input is {@code batch x inChannels x inHeight x inWidth},
 * the output {@code batch x outChannels x inHeight/2 x inWidth/2}, the weight (PyTorch's Conv2d layout)
 * {@code outChannels x inChannels x 4 x 4}.
 *
 * <p>A transposed convolution is described by the geometry of the convolution it transposes:
 * its input has the convolution's output shape and vice versa.
 */
public record ConvGeometry(int batch, int inChannels, int inHeight, int inWidth, int outChannels) {

    public static final int KERNEL = 4;
    public static final int STRIDE = 2;
    public static final int PAD = 1;

    public ConvGeometry {
        if (batch <= 0 || inChannels <= 0 || outChannels <= 0 || inHeight <= 0 || inWidth <= 0) {
            throw new IllegalArgumentException("conv geometry needs positive sizes: " + this);
        }
        if (inHeight % 2 != 0 || inWidth % 2 != 0) {
            throw new IllegalArgumentException("4x4/stride-2/pad-1 conv needs even input sizes: " + this);
        }
    }

    public int outHeight() {
        return inHeight / STRIDE;
    }

    public int outWidth() {
        return inWidth / STRIDE;
    }

    /** Elements of one input image (all channels). */
    public int inImageSize() {
        return inChannels * inHeight * inWidth;
    }

    /** Elements of one output image (all channels). */
    public int outImageSize() {
        return outChannels * outHeight() * outWidth();
    }

    /** Length of one im2col row: every input value that one output pixel sees. */
    public int patchSize() {
        return inChannels * KERNEL * KERNEL;
    }

    public int[] inShape() {
        return new int[] {batch, inChannels, inHeight, inWidth};
    }

    public int[] outShape() {
        return new int[] {batch, outChannels, outHeight(), outWidth()};
    }

    /** Conv2d weight shape {@code [out, in, 4, 4]}. */
    public int[] weightShape() {
        return new int[] {outChannels, inChannels, KERNEL, KERNEL};
    }
}
