package dcgan.cli;

import dcgan.data.Preprocessing;
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
                                                      + "example), or auto; default " + sizeDefault));
        o.addOption(Command.valued("channels", "C", "1 (grey), 3 (colour) or auto; default " + channelsDefault));
        o.addOption(Command.valued("ngf", "N", "G's width at 32 and 64: its last hidden layer has N channels, its first "
                                               + "8N (default 64)"));
        o.addOption(Command.valued("ndf", "N", "D's width at 32 and 64, the mirror of G's (default 64)"));
        o.addOption(Command.valued("z-dim", "N", "noise dimension (default 100)"));
    }

    static Request parse(CommandLine cl) throws Command.UsageException {
        Integer size = null;
        Integer channels = null;
        try {
            if (cl.hasOption("image-size")) {
                int s = Preprocessing.parseSize(cl.getOptionValue("image-size"));
                size = s == Preprocessing.AUTO ? null : s;
            }
            if (cl.hasOption("channels")) {
                int c = Preprocessing.parseChannels(cl.getOptionValue("channels"));
                channels = c == Preprocessing.AUTO ? null : c;
            }
        } catch (IllegalArgumentException e) {
            throw new Command.UsageException(e.getMessage());
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
