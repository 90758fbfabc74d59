package dcgan.train;

import dcgan.io.BadFileException;
import dcgan.io.SafeTensorsFile;
import dcgan.model.ModelSpec;
import dcgan.model.NetworkLayout;
import dcgan.model.ParameterLayout;
import dcgan.model.Generator;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The generator of PyTorch's {@code examples/dcgan} as PyTorch saves it
 * ({@code safetensors.torch.save_file(netG.state_dict(), path)}): tensors {@code main.0.weight},
 * {@code main.1.weight}, ..., {@code main.1.num_batches_tracked}, ..., without this project's metadata, or the
 * same names under {@code G.} (a discriminator under {@code D.} beside it is left alone). The model is read off the shapes: {@code main.0.weight} is {@code [nz, 8 ngf, 4,
 * 4]}, the last transposed convolution's weight {@code [ngf, C, 4, 4]}, and the number of transposed
 * convolutions gives the image size (5 for 64x64, 4 for 32x32). Every tensor of that model must be there, and
 * nothing else.
 */
final class PyTorchGenerator {

    private static final String FIRST = "main.0.weight";

    private PyTorchGenerator() {
    }

    /** Whether the file's tensors are named as a PyTorch {@code netG.state_dict()}, bare or under {@code G.}. */
    static boolean looksLikeOne(SafeTensorsFile f) {
        return f.contains(FIRST) || f.contains("G." + FIRST);
    }

    static GeneratorWeights read(SafeTensorsFile f) throws IOException {
        String prefix = f.contains(FIRST) ? "" : "G.";
        ModelSpec model = model(f, prefix);
        NetworkLayout layout = Generator.layout(model);
        Set<String> expected = new LinkedHashSet<>();
        for (ParameterLayout.Entry e : layout.params().entries()) {
            expected.add(e.name());
        }
        for (ParameterLayout.Entry e : layout.buffers().entries()) {
            expected.add(e.name());
        }
        expected.addAll(CheckpointFile.batchesTrackedNames(model, layout));
        for (String name : expected) {
            if (!f.contains(fileName(prefix, name))) {
                throw new BadFileException(f.file(), "missing tensor " + fileName(prefix, name) + " of PyTorch's DCGAN "
                        + "generator for " + model.describe());
            }
        }
        for (SafeTensorsFile.Entry e : f.entries()) {
            if (prefix.equals("G.") && e.name().startsWith("D.")) {
                continue; // a discriminator saved beside it
            }
            if (!e.name().startsWith(prefix) || !expected.contains("G." + e.name().substring(prefix.length()))) {
                throw new BadFileException(f.file(), "unexpected tensor " + e.name() + " (not part of PyTorch's DCGAN "
                        + "generator for " + model.describe() + ")");
            }
        }
        return new GeneratorWeights(model, -1,
                CheckpointFile.readFlat(f, layout.params(), name -> fileName(prefix, name)),
                CheckpointFile.readFlat(f, layout.buffers(), name -> fileName(prefix, name)));
    }

    /** Our layout's name "G.main.3.weight" as the file has it: "main.3.weight" or "G.main.3.weight". */
    private static String fileName(String prefix, String ours) {
        return prefix + ours.substring("G.".length());
    }

    private static ModelSpec model(SafeTensorsFile f, String prefix) throws BadFileException {
        int[] first = shape(f, prefix + FIRST);
        if (first.length != 4 || first[2] != 4 || first[3] != 4 || first[1] % 8 != 0) {
            throw new BadFileException(f.file(), "tensor " + prefix + FIRST + " has shape " + Arrays.toString(first)
                    + "; PyTorch's DCGAN generator starts with a transposed convolution [nz, 8 ngf, 4, 4]");
        }
        int transposed = 1;
        while (f.contains(prefix + "main." + 3 * transposed + ".weight")) {
            transposed++;
        }
        int[] last = shape(f, prefix + "main." + 3 * (transposed - 1) + ".weight");
        int imageSize = 4 << (transposed - 1);
        if (imageSize != 32 && imageSize != 64 || last.length != 4) {
            throw new BadFileException(f.file(), "holds " + transposed + " transposed convolutions (main.0, main.3, "
                    + "...): PyTorch's DCGAN generator has 4 for 32x32 images and 5 for 64x64");
        }
        int ngf = first[1] / 8;
        try {
            return ModelSpec.dcgan(imageSize, last[1], first[0], ngf, ngf);
        } catch (IllegalArgumentException e) {
            throw new BadFileException(f.file(), "not a generator this program can run: " + e.getMessage());
        }
    }

    private static int[] shape(SafeTensorsFile f, String name) throws BadFileException {
        for (SafeTensorsFile.Entry e : f.entries()) {
            if (e.name().equals(name)) {
                return e.shape();
            }
        }
        throw new BadFileException(f.file(), "missing tensor " + name);
    }
}
