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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Every kernel we launch: the PTX module (kernels/MODULE.ptx) and the function's name in it. */
    enum Kernel {
        LEAKY_RELU_FORWARD("leaky_relu", "leaky_relu_forward"),
        LEAKY_RELU_BACKWARD("leaky_relu", "leaky_relu_backward"),
        RELU_FORWARD("relu", "relu_forward"),
        RELU_BACKWARD("relu", "relu_backward"),
        SIGMOID_FORWARD("sigmoid", "sigmoid_forward"),
        SIGMOID_BACKWARD("sigmoid", "sigmoid_backward"),
        TANH_FORWARD("tanh", "tanh_forward"),
        TANH_BACKWARD("tanh", "tanh_backward"),
        SIGMOID_CROSS_ENTROPY("sigmoid_cross_entropy", "sigmoid_cross_entropy"),
        ADAM_STEP("adam", "adam_step"),
        PHILOX_UNIFORM("philox", "philox_uniform"),
        PHILOX_NORMAL("philox", "philox_normal");

        final String module;
        final String function;

        Kernel(String module, String function) {
            this.module = module;
            this.function = function;
        }
    }

    private final CUstream stream;
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final Map<String, String> isa = new LinkedHashMap<>(); // module -> e.g. ".version 8.0 .target sm_75"
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);

    Kernels(CUstream stream) {
        this.stream = stream;
        try {
            for (Kernel k : Kernel.values()) {
                CUmodule module = modules.get(k.module);
                if (module == null) {
                    module = load(k.module);
                }
                CUfunction f = new CUfunction();
                CudaStatus.driver(JCudaDriver.cuModuleGetFunction(f, module, k.function),
                        "cuModuleGetFunction(" + k.function + " in kernels/" + k.module + ".ptx)");
                functions.put(k, f);
            }
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
        byte[] text = ptx(name);
        CudaStatus.driver(JCudaDriver.cuModuleLoadData(module, text), "cuModuleLoadData(kernels/" + name + ".ptx)");
        modules.put(name, module);
        isa.put(name, isaOf(new String(text, StandardCharsets.US_ASCII)));
        return module;
    }

    /** The PTX's {@code .version} and {@code .target} directives, e.g. ".version 8.0 .target sm_75". */
    static String isaOf(String ptx) {
        StringBuilder s = new StringBuilder();
        for (String line : ptx.split("\\R")) {
            String t = line.strip();
            if (t.startsWith(".version ") || t.startsWith(".target ")) {
                s.append(s.isEmpty() ? "" : " ").append(t);
            }
        }
        return s.toString();
    }

    /**
     * The modules loaded and the functions taken from each, with their PTX ISA, e.g. "13 functions from 7 PTX
     * modules (.version 8.0 .target sm_75): adam (adam_step), leaky_relu (leaky_relu_forward, ...), ...".
     */
    String describe() {
        Map<String, List<String>> byModule = new LinkedHashMap<>();
        for (Kernel k : functions.keySet()) {
            byModule.computeIfAbsent(k.module, m -> new ArrayList<>()).add(k.function);
        }
        List<String> isas = isa.values().stream().distinct().toList();
        StringBuilder s = new StringBuilder().append(functions.size()).append(" functions from ").append(modules.size())
                .append(" PTX modules");
        if (isas.size() == 1) {
            s.append(" (").append(isas.get(0)).append(')');
        }
        s.append(':');
        String sep = " ";
        for (Map.Entry<String, List<String>> e : byModule.entrySet()) {
            s.append(sep).append(e.getKey()).append(" (").append(String.join(", ", e.getValue())).append(')');
            if (isas.size() > 1) {
                s.append(" [").append(isa.get(e.getKey())).append(']');
            }
            sep = ", ";
        }
        return s.toString();
    }

    private static int blocks(long work) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (work + BLOCK - 1) / BLOCK));
    }

    /**
     * Launches k on {@code grid} blocks with the kernel's C parameters in order: each argument a device
     * pointer, a float or an int, exactly as the .cu signature declares it.
     */
    private void launch(Kernel k, int grid, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr d) {
                params[i] = Pointer.to(d);
            } else if (a instanceof Float f) {
                params[i] = Pointer.to(new float[] {f});
            } else if (a instanceof Integer n) {
                params[i] = Pointer.to(new int[] {n});
            } else {
                throw new IllegalArgumentException(k.function + ": argument " + i + " is a " + a.getClass().getSimpleName());
            }
        }
        CudaStatus.driver(JCudaDriver.cuLaunchKernel(functions.get(k), grid, 1, 1, BLOCK, 1, 1, 0, stream,
                Pointer.to(params), null), "cuLaunchKernel(" + k.function + ")");
    }

    /**
     * An elementwise kernel over n elements, whose parameters are its tensors, then its float scalars, then n
     * (the activations: {@code (x, y, [alpha], n)} forward, {@code (y, dy, dx, [alpha], n)} backward).
     */
    void elementwise(Kernel k, int n, float[] scalars, CUdeviceptr... tensors) {
        Object[] args = new Object[tensors.length + scalars.length + 1];
        System.arraycopy(tensors, 0, args, 0, tensors.length);
        for (int i = 0; i < scalars.length; i++) {
            args[tensors.length + i] = scalars[i];
        }
        args[args.length - 1] = n;
        launch(k, blocks(n), args);
    }

    /** One block: the kernel reduces the batch in a fixed order, so the mean is reproducible. */
    void sigmoidCrossEntropy(CUdeviceptr logits, float label, CUdeviceptr dLogits, CUdeviceptr loss, int n) {
        launch(Kernel.SIGMOID_CROSS_ENTROPY, 1, logits, label, dLogits, loss, n);
    }

    void adamStep(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m, CUdeviceptr v,
                  float lrT, float beta1, float beta2, float epsilon, int n) {
        launch(Kernel.ADAM_STEP, blocks(n), params, grads, m, v, lrT, beta1, beta2, epsilon, n);
    }

    /** Counter {@code (i, c1, c2, c3)} for block i, key {@code (k0, k1)}: one thread per 4 outputs. */
    void philoxUniform(CUdeviceptr dst, int n, int k0, int k1, int c1, int c2, int c3, float lo, float hi) {
        launch(Kernel.PHILOX_UNIFORM, blocks((n + 3L) / 4), dst, n, k0, k1, c1, c2, c3, lo, hi);
    }

    /** Counter {@code (i, c1, c2, c3)} for block i, key {@code (k0, k1)}: one thread per 4 outputs (two pairs). */
    void philoxNormal(CUdeviceptr dst, int n, int k0, int k1, int c1, int c2, int c3) {
        launch(Kernel.PHILOX_NORMAL, blocks((n + 3L) / 4), dst, n, k0, k1, c1, c2, c3);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (CUmodule m : modules.values()) {
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
