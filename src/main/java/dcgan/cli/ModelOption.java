package dcgan.cli;

import dcgan.model.ModelSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * The options that choose the model: {@code --image-size} (28: the notebook's model; 32 or 64: PyTorch's
 * example's DCGAN), {@code --channels}, {@code --ngf}, {@code --ndf} and {@code --z-dim}. Where the data decides
 * (train), a size or channel count not given is the data's; elsewhere (bench, gpu-check) 28 and 1.
 */
final class ModelOption {

    /** What the options ask for; a null size or channel count was not given. */
    record Request(Integer imageSize, Integer channels, int zDim, int ngf, int ndf, boolean widthsGiven) {

        /** The model for images of this size and channel count, where the options leave them open. */
        ModelSpec resolve(int dataSize, int dataChannels) {
            int size = imageSize != null ? imageSize : dataSize;
            return ModelSpec.forImages(size, channels != null ? channels : dataChannels, zDim, ngf, ndf);
        }

        /** The model the options name, 28x28 grey where they do not say. */
        ModelSpec resolve() {
            return resolve(28, 1);
        }
    }

    private ModelOption() {
    }

    static void add(Options o, String sizeDefault, String channelsDefault) {
        o.addOption(Command.valued("image-size", "S", "28 (the notebook's model), 32 or 64 (the DCGAN of PyTorch's "
                                                      + "example); default " + sizeDefault));
        o.addOption(Command.valued("channels", "C", "1 (grey) or 3 (colour); default " + channelsDefault));
        o.addOption(Command.valued("ngf", "N", "G's width at 32 and 64: its last hidden layer has N channels, its first "
                                               + "8N (default 64)"));
        o.addOption(Command.valued("ndf", "N", "D's width at 32 and 64, the mirror of G's (default 64)"));
        o.addOption(Command.valued("z-dim", "N", "noise dimension (default 100)"));
    }

    static Request parse(CommandLine cl) throws Command.UsageException {
        Integer size = null;
        if (cl.hasOption("image-size")) {
            size = Command.intOption(cl, "image-size", 0, 1);
            if (!ModelSpec.IMAGE_SIZES.contains(size)) {
                throw new Command.UsageException("--image-size must be 28, 32 or 64, got " + size);
            }
        }
        Integer channels = null;
        if (cl.hasOption("channels")) {
            channels = Command.intOption(cl, "channels", 0, 1);
            if (channels != 1 && channels != 3) {
                throw new Command.UsageException("--channels must be 1 or 3, got " + channels);
            }
        }
        boolean widths = cl.hasOption("ngf") || cl.hasOption("ndf");
        if (widths && size != null && size == 28) {
            throw new Command.UsageException("--ngf and --ndf set the widths of the 32x32 and 64x64 model; the 28x28 "
                                             + "model's are fixed");
        }
        return new Request(size, channels, Command.intOption(cl, "z-dim", ModelSpec.DEFAULT_Z_DIM, 1),
                Command.intOption(cl, "ngf", ModelSpec.DEFAULT_WIDTH, 1),
                Command.intOption(cl, "ndf", ModelSpec.DEFAULT_WIDTH, 1), widths);
    }
}
