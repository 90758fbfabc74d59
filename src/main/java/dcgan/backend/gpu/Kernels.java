package dcgan.backend.gpu;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Our own kernels: the PTX generated from {@code kernels/*.cu} (see kernels/README.md), loaded from the
 * classpath at {@code kernels/NAME.ptx}, with one typed launch method per kernel. The parameter lists
 * here mirror the kernels' C signatures exactly; each kernel loops grid-stride, so any grid is correct.
 */
final class Kernels implements AutoCloseable {

    static final int BLOCK = 256;
    // Enough blocks to fill any current GPU several times over; larger tensors are covered by the
    // kernels' grid-stride loops.
    private static final int MAX_BLOCKS = 8192;

    private final CUstream stream;
    private final List<CUmodule> modules = new ArrayList<>();
    private final CUfunction leakyReluForward;
    private final CUfunction leakyReluBackward;
    private final CUfunction reluForward;
    private final CUfunction reluBackward;
    private final CUfunction sigmoidForward;
    private final CUfunction sigmoidBackward;
    private final CUfunction sigmoidCrossEntropy;
    private final CUfunction adamStep;
    private final CUfunction philoxUniform;

    Kernels(CUstream stream) {
        this.stream = stream;
        try {
            CUmodule leaky = load("leaky_relu");
            leakyReluForward = function(leaky, "leaky_relu", "leaky_relu_forward");
            leakyReluBackward = function(leaky, "leaky_relu", "leaky_relu_backward");
            CUmodule relu = load("relu");
            reluForward = function(relu, "relu", "relu_forward");
            reluBackward = function(relu, "relu", "relu_backward");
            CUmodule sigmoid = load("sigmoid");
            sigmoidForward = function(sigmoid, "sigmoid", "sigmoid_forward");
            sigmoidBackward = function(sigmoid, "sigmoid", "sigmoid_backward");
            sigmoidCrossEntropy = function(load("sigmoid_cross_entropy"), "sigmoid_cross_entropy",
                    "sigmoid_cross_entropy");
            adamStep = function(load("adam"), "adam", "adam_step");
            philoxUniform = function(load("philox_uniform"), "philox_uniform", "philox_uniform");
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this); // unloads the modules loaded so far
            throw e;
        }
    }

    /** The PTX text of kernels/NAME.ptx from the classpath, NUL-terminated as cuModuleLoadData wants. */
    static byte[] ptx(String name) {
        String resource = "/kernels/" + name + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath: the jar was built without "
                                                + "kernels/ (rebuild with ./mvnw -B package)");
            }
            byte[] text = in.readAllBytes();
            byte[] terminated = new byte[text.length + 1];
            System.arraycopy(text, 0, terminated, 0, text.length);
            return terminated;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    private CUmodule load(String name) {
        CUmodule module = new CUmodule();
        CudaStatus.driver(JCudaDriver.cuModuleLoadData(module, ptx(name)), "cuModuleLoadData(kernels/" + name + ".ptx)");
        modules.add(module);
        return module;
    }

    private static CUfunction function(CUmodule module, String file, String name) {
        CUfunction f = new CUfunction();
        CudaStatus.driver(JCudaDriver.cuModuleGetFunction(f, module, name),
                "cuModuleGetFunction(" + name + " in kernels/" + file + ".ptx)");
        return f;
    }

    private static int blocks(long work) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (work + BLOCK - 1) / BLOCK));
    }

    private void launch(CUfunction f, String name, int grid, Pointer... args) {
        CudaStatus.driver(JCudaDriver.cuLaunchKernel(f, grid, 1, 1, BLOCK, 1, 1, 0, stream, Pointer.to(args), null),
                "cuLaunchKernel(" + name + ")");
    }

    private static Pointer p(CUdeviceptr d) {
        return Pointer.to(d);
    }

    private static Pointer p(float v) {
        return Pointer.to(new float[] {v});
    }

    private static Pointer p(int v) {
        return Pointer.to(new int[] {v});
    }

    void leakyReluForward(CUdeviceptr x, CUdeviceptr y, float alpha, int n) {
        launch(leakyReluForward, "leaky_relu_forward", blocks(n), p(x), p(y), p(alpha), p(n));
    }

    void leakyReluBackward(CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, float alpha, int n) {
        launch(leakyReluBackward, "leaky_relu_backward", blocks(n), p(y), p(dy), p(dx), p(alpha), p(n));
    }

    void reluForward(CUdeviceptr x, CUdeviceptr y, int n) {
        launch(reluForward, "relu_forward", blocks(n), p(x), p(y), p(n));
    }

    void reluBackward(CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, int n) {
        launch(reluBackward, "relu_backward", blocks(n), p(y), p(dy), p(dx), p(n));
    }

    void sigmoidForward(CUdeviceptr x, CUdeviceptr y, int n) {
        launch(sigmoidForward, "sigmoid_forward", blocks(n), p(x), p(y), p(n));
    }

    void sigmoidBackward(CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, int n) {
        launch(sigmoidBackward, "sigmoid_backward", blocks(n), p(y), p(dy), p(dx), p(n));
    }

    /** One block: the kernel reduces the batch in a fixed order, so the mean is reproducible. */
    void sigmoidCrossEntropy(CUdeviceptr logits, float label, CUdeviceptr dLogits, CUdeviceptr loss, int n) {
        launch(sigmoidCrossEntropy, "sigmoid_cross_entropy", 1, p(logits), p(label), p(dLogits), p(loss), p(n));
    }

    void adamStep(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m, CUdeviceptr v,
                  float lrT, float beta1, float beta2, float epsilon, int n) {
        launch(adamStep, "adam_step", blocks(n), p(params), p(grads), p(m), p(v),
                p(lrT), p(beta1), p(beta2), p(epsilon), p(n));
    }

    /** Counter {@code (i, c1, c2, c3)} for block i, key {@code (k0, k1)}: one thread per 4 outputs. */
    void philoxUniform(CUdeviceptr dst, int n, int k0, int k1, int c1, int c2, int c3, float lo, float hi) {
        launch(philoxUniform, "philox_uniform", blocks((n + 3L) / 4), p(dst), p(n), p(k0), p(k1), p(c1), p(c2), p(c3),
                p(lo), p(hi));
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (CUmodule m : modules) {
            try {
                CudaStatus.driver(JCudaDriver.cuModuleUnload(m), "cuModuleUnload");
            } catch (RuntimeException e) {
                first = first == null ? e : first; // unload the others anyway
            }
        }
        modules.clear();
        if (first != null) {
            throw first;
        }
    }
}
