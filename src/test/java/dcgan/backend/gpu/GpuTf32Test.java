package dcgan.backend.gpu;

import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;

import dcgan.backend.Backend;
import dcgan.backend.CapturedWork;
import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The weighted ops on a backend with TF32 tensor cores allowed and searched convolution algorithms
 * ({@code --math tf32 --conv-algo search}) against the FP32 CPU, at one model shape and one odd shape per
 * op (the FP32 classes cover every shape; what differs here is the math type and the algorithms).
 */
@Tag("gpu")
class GpuTf32Test extends WeightedOpFixture {

    /**
     * TF32 keeps 10 of FP32's 23 mantissa bits of each input, rounding to nearest: a relative error of at
     * most 2^-11 ≈ 4.9e-4 per input, so at most ≈ 1e-3 per product of two. Summed in FP32 over a dot
     * product of random-signed terms these errors partly cancel, as the terms do, so the max-norm error
     * stays about 1e-3 of the output's scale (measured against the fake's exact TF32 rounding: about
     * 3e-4). 1e-2 leaves an order of magnitude for real tensor cores' other summation order, while still
     * failing a wrong operand, a missed accumulate or an overwritten pre-fill (errors of order 1).
     */
    static final double TF32_TOL = 1e-2;

    @BeforeAll
    static void openTf32() {
        reopenGpu(new GpuSettings(MathMode.TF32, AlgorithmChoice.SEARCH));
    }

    @Override
    double tolerance() {
        return TF32_TOL;
    }

    @Override
    Stream<Shapes> cases() {
        return Stream.concat(GpuConvSearchTest.convCases(), Stream.of(
                linear("G.l2", 256, 1024, 128 * 7 * 7),
                linear("odd sizes", 3, 7, 5)));
    }

    /**
     * That the setting reaches cuDNN (every direction) and cuBLAS: the results must differ from FP32 by
     * more than FP32 rounding (about 1e-7 here). Asserted against the fake only, which rounds to TF32
     * whenever the math type allows it; a real cuDNN may still pick an FP32 algorithm under TF32.
     */
    @Test
    void tf32IsInEffectAgainstTheFake() {
        assumeTrue(gpu.describe().contains("Fake CUDA device"), "only the fake rounds to TF32 every time it may");
        Inputs in = Inputs.fresh();
        ConvGeometry g = new ConvGeometry(8, 64, 14, 14, 128);
        Both<ConvOp> conv = both(b -> b.conv(g));
        Twin x = twin(in.gaussian(Tensor.sizeOf(g.inShape()), 1), g.inShape());
        Twin w = twin(in.gaussian(Tensor.sizeOf(g.weightShape()), 0.1), g.weightShape());
        Twin bias = twin(new float[g.outChannels()], g.outChannels());
        Twin y = nanTwin(g.outShape());
        Twin dy = twin(in.gaussian(Tensor.sizeOf(g.outShape()), 1), g.outShape());
        Twin dx = nanTwin(g.inShape());
        Twin dw = nanTwin(g.weightShape());
        Twin db = nanTwin(g.outChannels());
        onBoth(b -> conv.on(b).forward(x.on(b), w.on(b), bias.on(b), y.on(b)));
        onBoth(b -> conv.on(b).backward(x.on(b), w.on(b), dy.on(b), dx.on(b), dw.on(b), db.on(b), false));
        Both<LinearOp> linear = both(b -> b.linear(8, 1024, 64));
        Twin lx = twin(in.gaussian(8 * 1024, 1), 8, 1024);
        Twin lw = twin(in.gaussian(64 * 1024, 0.1), 64, 1024);
        Twin lb = twin(new float[64], 64);
        Twin ly = nanTwin(8, 64);
        onBoth(b -> linear.on(b).forward(lx.on(b), lw.on(b), lb.on(b), ly.on(b)));
        for (var out : new Object[][] {{"conv y", y}, {"conv dx", dx}, {"conv dw", dw}, {"linear y", ly}}) {
            Twin t = (Twin) out[1];
            double rel = GpuTestSupport.assertClose(in.label(out[0].toString()), t.expected(), t.actual(), TF32_TOL);
            assertTrue(rel > 1e-5, in.label(out[0] + " agrees with FP32 to " + rel + ": computed without TF32"));
        }
    }

    /**
     * A captured step (a CUDA graph) under TF32 computes from the inputs as they are at each replay. On
     * its own backend: a capture pins the workspace, which would constrain the other tests' layers.
     */
    @Test
    void aCapturedTf32ConvolutionAndGemmFollowTheirInputsOnEachReplay() {
        Inputs in = Inputs.fresh();
        ConvGeometry g = new ConvGeometry(4, 8, 14, 14, 16);
        int batch = 4;
        int features = 256;
        int outputs = 32;
        boolean fake = gpu.describe().contains("Fake CUDA device");
        try (Backend tf32 = GpuTestSupport.openGpu(new GpuSettings(MathMode.TF32, AlgorithmChoice.SEARCH));
             ConvOp conv = tf32.conv(g);
             LinearOp linear = tf32.linear(batch, features, outputs);
             Tensor x = tf32.allocate(g.inShape());
             Tensor w = GpuTestSupport.tensor(tf32, in.gaussian(Tensor.sizeOf(g.weightShape()), 0.1), g.weightShape());
             Tensor b = tf32.allocate(g.outChannels());
             Tensor y = tf32.allocate(g.outShape());
             Tensor lx = tf32.allocate(batch, features);
             Tensor lw = GpuTestSupport.tensor(tf32, in.gaussian(outputs * features, 0.1), outputs, features);
             Tensor lb = tf32.allocate(outputs);
             Tensor ly = tf32.allocate(batch, outputs);
             CapturedWork step = tf32.capture(() -> {
                 conv.forward(x, w, b, y);
                 linear.forward(lx, lw, lb, ly);
             })) {
            for (int replay = 1; replay <= 2; replay++) {
                float[] xv = in.gaussian(Tensor.sizeOf(g.inShape()), replay);
                float[] lxv = in.gaussian(batch * features, replay);
                tf32.upload(xv, 0, x);
                tf32.upload(lxv, 0, lx);
                step.replay();
                float[] wantY;
                float[] wantLy;
                try (ConvOp cConv = cpu.conv(g);
                     LinearOp cLinear = cpu.linear(batch, features, outputs);
                     Tensor cx = GpuTestSupport.tensor(cpu, xv, g.inShape());
                     Tensor cw = GpuTestSupport.tensor(cpu, tf32.download(w), g.weightShape());
                     Tensor cb = cpu.allocate(g.outChannels());
                     Tensor cy = cpu.allocate(g.outShape());
                     Tensor clx = GpuTestSupport.tensor(cpu, lxv, batch, features);
                     Tensor clw = GpuTestSupport.tensor(cpu, tf32.download(lw), outputs, features);
                     Tensor clb = cpu.allocate(outputs);
                     Tensor cly = cpu.allocate(batch, outputs)) {
                    cConv.forward(cx, cw, cb, cy);
                    cLinear.forward(clx, clw, clb, cly);
                    wantY = cpu.download(cy);
                    wantLy = cpu.download(cly);
                }
                String what = in.label("replay " + replay);
                double convErr = GpuTestSupport.assertClose(what + ": conv y", wantY, tf32.download(y), TF32_TOL);
                double gemmErr = GpuTestSupport.assertClose(what + ": linear y", wantLy, tf32.download(ly), TF32_TOL);
                if (fake) {
                    assertTrue(convErr > 1e-5 && gemmErr > 1e-5, what + ": no TF32 rounding in the replay ("
                                                                   + convErr + ", " + gemmErr + ")");
                }
            }
        }
    }
}
