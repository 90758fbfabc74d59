package dcgan.backend.gpu;

import dcgan.backend.Backend;
import dcgan.backend.CapturedWork;
import dcgan.backend.HostMirror;
import dcgan.backend.BatchNormOp;
import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;
import dcgan.backend.gpu.Kernels.Kernel;
import dcgan.random.CounterRng;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import jcuda.jcudnn.JCudnn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA backend: tensors in device memory, convolutions and batch norm on cuDNN, linear layers on
 * cuBLAS, everything else on our own PTX kernels (kernels/). All work is queued on one stream in
 * call order; the host waits only in {@link #download} and {@link #synchronize}. With the default
 * {@link GpuSettings} it computes in FP32 like the CPU backend (no TF32), and the GPU tests hold it to the
 * CPU reference; {@link GpuSettings} can allow TF32 tensor cores and timed algorithm search.
 *
 * <p>A backend belongs to the thread that opened it (the CUDA context is current there).
 */
public final class GpuBackend implements Backend {

    private final CudaDevice device;
    private final DeviceMemory memory;
    private final Workspace workspace;
    private final Cublas cublas;
    private final Cudnn cudnn;
    private final Kernels kernels;
    private final long cudnnVersion;
    private final GpuSettings settings;

    private GpuBackend(CudaDevice device, DeviceMemory memory, Workspace workspace, Cublas cublas, Cudnn cudnn,
                       long cudnnVersion, Kernels kernels, GpuSettings settings) {
        this.device = device;
        this.memory = memory;
        this.workspace = workspace;
        this.cublas = cublas;
        this.cudnn = cudnn;
        this.cudnnVersion = cudnnVersion;
        this.kernels = kernels;
        this.settings = settings;
    }

    /** Opens GPU {@code deviceIndex} with the default (FP32, heuristic) settings; see {@link #open(int, GpuSettings)}. */
    public static GpuBackend open(int deviceIndex) throws GpuUnavailableException {
        return open(deviceIndex, GpuSettings.DEFAULT);
    }

    /**
     * Opens GPU {@code deviceIndex} to compute as settings say. Everything that makes a GPU unusable (a
     * missing native library, no device, an old driver, a PTX the driver cannot load) comes back as one
     * {@link GpuUnavailableException} whose message says what and where to look.
     */
    public static GpuBackend open(int deviceIndex, GpuSettings settings) throws GpuUnavailableException {
        Objects.requireNonNull(settings, "settings");
        CudaDevice device = CudaDevice.open(deviceIndex);
        Deque<AutoCloseable> made = new ArrayDeque<>(); // newest first: the order to undo them in
        made.push(device);
        try {
            DeviceMemory memory = new DeviceMemory();
            Workspace workspace = new Workspace(memory, device::synchronize);
            made.push(workspace);
            workspace.reserve(1 << 20); // so that cuDNN always gets a valid address
            if (NativeLibraries.cublasFailure() != null) {
                throw new GpuUnavailableException("cuBLAS 12 could not be loaded (" + NativeLibraries.cublasFailure()
                                                  + "); see native-libs.md", null);
            }
            Cublas cublas = new Cublas(device.stream(), settings.math(), memory, device.computeCapability());
            made.push(cublas);
            if (NativeLibraries.cudnnFailure() != null) {
                throw new GpuUnavailableException("cuDNN 9 could not be loaded (" + NativeLibraries.cudnnFailure()
                                                  + "); see native-libs.md", null);
            }
            long cudnnVersion = JCudnn.cudnnGetVersion();
            Cudnn cudnn = new Cudnn(device.stream());
            made.push(cudnn);
            Kernels kernels = new Kernels(device.stream());
            return new GpuBackend(device, memory, workspace, cublas, cudnn, cudnnVersion, kernels, settings);
        } catch (CudaException e) {
            Cleanup.afterFailure(e, made.toArray(new AutoCloseable[0]));
            throw new GpuUnavailableException("the GPU could not be set up: " + e.getMessage(), e);
        } catch (GpuUnavailableException | RuntimeException | Error e) {
            Cleanup.afterFailure(e, made.toArray(new AutoCloseable[0]));
            throw e;
        }
    }

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("([\\w.+-]+\\.so[.\\d]*): cannot open shared object file: ([^\\t\\n]*?)(?=\\s+at |\\t|\\n|$)");

    /**
     * Why a native library failed to load, in one line. JCuda's own message runs to dozens of lines of
     * nested stack traces; what matters is the library the dynamic loader could not find, e.g.
     * "libcublas.so.12: cannot open shared object file: No such file or directory".
     */
    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null && all.length() < 100_000; c = c.getCause() == c ? null : c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        Matcher m = MISSING_LIBRARY.matcher(all);
        if (m.find()) {
            return m.group(1) + ": cannot open shared object file: " + m.group(2).trim();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.toString() : root.getMessage();
        String firstLine = msg.strip().split("\\R", 2)[0];
        return firstLine.length() > 300 ? firstLine.substring(0, 300) + "..." : firstLine;
    }

    Cublas cublas() {
        return cublas;
    }

    Cudnn cudnn() {
        return cudnn;
    }

    /** How this backend computes (its math mode and algorithm choice). */
    public GpuSettings settings() {
        return settings;
    }

    /** Bytes of device memory this backend holds now, and the most it has held at once. */
    public long liveBytes() {
        return memory.liveBytes();
    }

    public long peakBytes() {
        return memory.peakBytes();
    }

    /**
     * Device memory in use now by every user of the GPU (total minus free, as nvidia-smi counts it): this
     * process's CUDA context, cuBLAS and cuDNN included, which {@link #peakBytes} does not see.
     */
    public long deviceBytesInUse() {
        device.checkThread();
        long[] info = device.memoryInfo();
        return info[1] - info[0];
    }

    @Override
    public String describe() {
        // The default settings add nothing, so that output from before they existed reads the same.
        return String.format(Locale.ROOT, "gpu: %s, cuDNN %d.%d.%d%s", device.describe(),
                cudnnVersion / 10000, cudnnVersion / 100 % 100, cudnnVersion % 100, settings.describeNonDefault());
    }

    /**
     * The versions the backend runs with, as the driver and the loaded libraries report them, e.g. "driver for
     * CUDA 13.0 (cuDriverGetVersion 13000), cuBLAS 13.1.0 (cublasGetVersion 130100), cuDNN 9.19.0
     * (cudnnGetVersion 91900)".
     */
    public String describeVersions() {
        device.checkThread();
        int driver = device.driverVersion();
        int blas = cublas.version();
        return String.format(Locale.ROOT, "driver for CUDA %d.%d (cuDriverGetVersion %d), cuBLAS %d.%d.%d "
                                          + "(cublasGetVersion %d), cuDNN %d.%d.%d (cudnnGetVersion %d)",
                driver / 1000, driver % 1000 / 10, driver, blas / 10000, blas / 100 % 100, blas % 100, blas,
                cudnnVersion / 10000, cudnnVersion / 100 % 100, cudnnVersion % 100, cudnnVersion);
    }

    /** Our PTX modules as loaded, with their functions and PTX ISA (see {@link Kernels#describe}). */
    public String describeKernels() {
        return kernels.describe();
    }

    /**
     * What cuDNN offers for the convolution g describes (or its transpose), and what a layer built with
     * algorithms chosen as {@code how} says runs, one line per direction in the layer's order: forward,
     * input gradient, weight gradient (see {@link ConvAlgorithmReport}). The convolution is built as a layer
     * builds it, its workspace reserved in the backend's shared workspace (where it stays), and closed again.
     */
    public List<String> describeConvAlgorithms(ConvGeometry g, boolean transposed, GpuSettings.AlgorithmChoice how) {
        List<CudnnConvolution.Choice> choices;
        try (CudnnConvolution conv = convolution(g, how)) {
            choices = conv.choices();
        }
        // A transposed convolution's forward is cuDNN's backward data, and its input gradient cuDNN's forward.
        List<CudnnConvolution.Direction> order = transposed
                ? List.of(CudnnConvolution.Direction.BACKWARD_DATA, CudnnConvolution.Direction.FORWARD,
                          CudnnConvolution.Direction.BACKWARD_FILTER)
                : List.of(CudnnConvolution.Direction.FORWARD, CudnnConvolution.Direction.BACKWARD_DATA,
                          CudnnConvolution.Direction.BACKWARD_FILTER);
        List<String> roles = List.of("forward", "input gradient", "weight gradient");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            CudnnConvolution.Direction d = order.get(i);
            CudnnConvolution.Choice c = choices.stream().filter(x -> x.direction() == d).findFirst().orElseThrow();
            lines.add(ConvAlgorithmReport.describe(c, roles.get(i), CudaStatus::cudnnName));
        }
        return lines;
    }

    /** The cuDNN convolution g describes, with this backend's math and algorithms chosen as {@code how} says. */
    CudnnConvolution convolution(ConvGeometry g, GpuSettings.AlgorithmChoice how) {
        device.checkThread();
        return new CudnnConvolution(cudnn, workspace, g, new GpuSettings(settings.math(), how));
    }

    @Override
    public Tensor allocate(int... shape) {
        device.checkThread();
        GpuTensor t = GpuTensor.allocate(memory, shape);
        fill(t, 0f);
        return t;
    }

    @Override
    public Tensor view(Tensor base, int offset, int... shape) {
        return GpuTensor.of(base).view(offset, shape);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        device.checkThread();
        GpuTensor d = GpuTensor.of(dst);
        Objects.checkFromIndexSize(srcOffset, d.size(), src.length);
        // Queued work may still read dst; a synchronous copy from a Java array must not overtake it.
        device.synchronize();
        CudaStatus.driver(JCudaDriver.cuMemcpyHtoD(d.pointer(), Pointer.to(src).withByteOffset((long) srcOffset * Float.BYTES),
                d.bytes()), "cuMemcpyHtoD(" + d.bytes() + " bytes)");
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        device.checkThread();
        GpuTensor s = GpuTensor.of(src);
        Objects.checkFromIndexSize(dstOffset, s.size(), dst.length);
        device.synchronize();
        CudaStatus.driver(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Float.BYTES),
                s.pointer(), s.bytes()), "cuMemcpyDtoH(" + s.bytes() + " bytes)");
    }

    @Override
    public void fill(Tensor t, float value) {
        GpuTensor g = GpuTensor.of(t);
        if (g.size() > 0) {
            CudaStatus.driver(JCudaDriver.cuMemsetD32Async(g.pointer(), Float.floatToRawIntBits(value), g.size(),
                    device.stream()), "cuMemsetD32Async(" + g.size() + " floats)");
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        GpuTensor s = GpuTensor.of(src);
        GpuTensor d = GpuTensor.of(dst, s.size(), "copy destination");
        if (s.size() > 0) {
            CudaStatus.driver(JCudaDriver.cuMemcpyDtoDAsync(d.pointer(), s.pointer(), s.bytes(), device.stream()),
                    "cuMemcpyDtoDAsync(" + s.bytes() + " bytes)");
        }
    }

    @Override
    public ConvOp conv(ConvGeometry geometry) {
        device.checkThread();
        return new GpuConv(cudnn, workspace, geometry, settings);
    }

    @Override
    public ConvTransposeOp convTranspose(ConvGeometry geometry) {
        device.checkThread();
        return new GpuConvTranspose(cudnn, workspace, geometry, settings);
    }

    @Override
    public LinearOp linear(int batch, int inFeatures, int outFeatures, LinearOp.WeightLayout layout) {
        device.checkThread();
        return new GpuLinear(this, batch, inFeatures, outFeatures, layout);
    }

    @Override
    public BatchNormOp batchNorm(int batch, int channels, int spatial) {
        device.checkThread();
        return new GpuBatchNorm(this, batch, channels, spatial);
    }

    @Override
    public void leakyRelu(Tensor x, Tensor y, float alpha) {
        forward(Kernel.LEAKY_RELU_FORWARD, "leaky ReLU", x, y, alpha);
    }

    @Override
    public void leakyReluBackward(Tensor y, Tensor dy, Tensor dx, float alpha) {
        backward(Kernel.LEAKY_RELU_BACKWARD, "leaky ReLU", y, dy, dx, alpha);
    }

    @Override
    public void relu(Tensor x, Tensor y) {
        forward(Kernel.RELU_FORWARD, "ReLU", x, y);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        backward(Kernel.RELU_BACKWARD, "ReLU", y, dy, dx);
    }

    @Override
    public void sigmoid(Tensor x, Tensor y) {
        forward(Kernel.SIGMOID_FORWARD, "sigmoid", x, y);
    }

    @Override
    public void sigmoidBackward(Tensor y, Tensor dy, Tensor dx) {
        backward(Kernel.SIGMOID_BACKWARD, "sigmoid", y, dy, dx);
    }

    @Override
    public void tanh(Tensor x, Tensor y) {
        forward(Kernel.TANH_FORWARD, "tanh", x, y);
    }

    @Override
    public void tanhBackward(Tensor y, Tensor dy, Tensor dx) {
        backward(Kernel.TANH_BACKWARD, "tanh", y, dy, dx);
    }

    /** An activation y = f(x, scalars), elementwise. */
    private void forward(Kernel k, String op, Tensor xT, Tensor yT, float... scalars) {
        GpuTensor x = GpuTensor.of(xT);
        GpuTensor y = GpuTensor.of(yT, x.size(), op + " output");
        kernels.elementwise(k, x.size(), scalars, x.pointer(), y.pointer());
    }

    /** An activation's gradient dx = f'(y, dy, scalars) from its output y, elementwise. */
    private void backward(Kernel k, String op, Tensor yT, Tensor dyT, Tensor dxT, float... scalars) {
        GpuTensor y = GpuTensor.of(yT);
        GpuTensor dy = GpuTensor.of(dyT, y.size(), op + " output gradient");
        GpuTensor dx = GpuTensor.of(dxT, y.size(), op + " input gradient");
        kernels.elementwise(k, y.size(), scalars, y.pointer(), dy.pointer(), dx.pointer());
    }

    @Override
    public void sigmoidCrossEntropy(Tensor logitsT, float label, Tensor dLogitsT, Tensor lossT, int lossIndex) {
        GpuTensor logits = GpuTensor.of(logitsT);
        GpuTensor dLogits = GpuTensor.of(dLogitsT, logits.size(), "loss gradient");
        GpuTensor loss = GpuTensor.of(lossT);
        if (lossIndex < 0 || lossIndex >= loss.size()) {
            throw new IllegalArgumentException("loss index " + lossIndex + " outside a tensor of " + loss.size());
        }
        if (logits.sameStart(dLogits)) {
            throw new IllegalArgumentException("sigmoid cross-entropy cannot write its gradient over the logits");
        }
        if (logits.size() == 0) {
            throw new IllegalArgumentException("sigmoid cross-entropy of an empty batch");
        }
        kernels.sigmoidCrossEntropy(logits.pointer(), label, dLogits.pointer(), loss.pointer(lossIndex), logits.size());
    }

    @Override
    public void adam(Tensor pT, Tensor gT, Tensor mT, Tensor vT, float lrT, float beta1, float beta2, float epsilon) {
        GpuTensor p = GpuTensor.of(pT);
        GpuTensor g = GpuTensor.of(gT, p.size(), "Adam gradients");
        GpuTensor m = GpuTensor.of(mT, p.size(), "Adam first moments");
        GpuTensor v = GpuTensor.of(vT, p.size(), "Adam second moments");
        kernels.adamStep(p.pointer(), g.pointer(), m.pointer(), v.pointer(), lrT, beta1, beta2, epsilon, p.size());
    }

    @Override
    public void uniform(Tensor dstT, CounterRng rng, int stream, long step, float lo, float hi) {
        GpuTensor dst = GpuTensor.of(dstT);
        if (dst.size() > 0) {
            long seed = rng.seed();
            // The counter layout of CounterRng.fillUniform: block i is (i, step lo, stream, step hi).
            kernels.philoxUniform(dst.pointer(), dst.size(), (int) seed, (int) (seed >>> 32), (int) step, stream,
                    (int) (step >>> 32), lo, hi);
        }
    }

    @Override
    public void normal(Tensor dstT, CounterRng rng, int stream, long step) {
        GpuTensor dst = GpuTensor.of(dstT);
        if (dst.size() > 0) {
            long seed = rng.seed();
            // The counter layout of CounterRng.fillNormal: block i is (i, step lo, stream, TAG_NORMAL ^ step hi).
            kernels.philoxNormal(dst.pointer(), dst.size(), (int) seed, (int) (seed >>> 32), (int) step, stream,
                    CounterRng.TAG_NORMAL ^ (int) (step >>> 32));
        }
    }

    @Override
    public HostMirror hostMirror(Tensor src) {
        device.checkThread();
        return new PinnedMirror(device, GpuTensor.of(src));
    }

    @Override
    public CapturedWork capture(Runnable work) {
        workspace.pin();
        return CudaGraph.capture(device, work);
    }

    @Override
    public void synchronize() {
        device.checkThread();
        device.synchronize();
    }

    @Override
    public void close() {
        device.checkThread();
        // Wait for queued work first, so that a kernel error is reported rather than lost; free the rest
        // whatever happens, reporting the first failure.
        List<AutoCloseable> parts = List.of(device::synchronize, kernels, cudnn, cublas, workspace, device);
        RuntimeException first = null;
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e); // no part throws checked exceptions
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
