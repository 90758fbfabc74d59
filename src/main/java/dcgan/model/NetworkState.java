package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.random.CounterRng;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one network owns on a backend: trainable parameters, their gradients and Adam moments
 * (four flat buffers with the same layout), and the batch-norm moving averages (a fifth, with its own
 * layout, since the optimiser must not touch them).
 */
public final class NetworkState implements AutoCloseable {

    private final Backend backend;
    private final ParameterLayout paramLayout;
    private final ParameterLayout bufferLayout;
    private final int initStreamBase;
    private final Tensor params;
    private final Tensor grads;
    private final Tensor adamM;
    private final Tensor adamV;
    private final Tensor buffers;
    private final Map<String, Tensor> paramViews = new HashMap<>();
    private final Map<String, Tensor> gradViews = new HashMap<>();
    private final Map<String, Tensor> bufferViews = new HashMap<>();

    /**
     * @param initStreamBase the random stream of the first parameter tensor; tensor i draws its initial
     *                       values from stream initStreamBase + i, so each network needs its own range.
     */
    public NetworkState(Backend backend, NetworkLayout layout, int initStreamBase) {
        this.backend = backend;
        this.paramLayout = layout.params();
        this.bufferLayout = layout.buffers();
        this.initStreamBase = initStreamBase;
        this.params = backend.allocate(paramLayout.size());
        this.grads = backend.allocate(paramLayout.size());
        this.adamM = backend.allocate(paramLayout.size());
        this.adamV = backend.allocate(paramLayout.size());
        this.buffers = backend.allocate(Math.max(1, bufferLayout.size()));
        for (ParameterLayout.Entry e : paramLayout.entries()) {
            paramViews.put(e.name(), backend.view(params, e.offset(), e.shape()));
            gradViews.put(e.name(), backend.view(grads, e.offset(), e.shape()));
        }
        for (ParameterLayout.Entry e : bufferLayout.entries()) {
            bufferViews.put(e.name(), backend.view(buffers, e.offset(), e.shape()));
        }
    }

    /**
     * Sets every tensor to its initial value as its layout says: weights from the seed (a truncated or plain
     * normal), biases 0, batch-norm scale 1 (or drawn around 1), moving variance 1.
     */
    public void initialise(CounterRng rng) {
        backend.upload(initialValues(paramLayout, rng, initStreamBase), 0, params);
        if (bufferLayout.size() > 0) {
            backend.upload(initialValues(bufferLayout, rng, initStreamBase), 0, buffers);
        }
        backend.fill(adamM, 0f);
        backend.fill(adamV, 0f);
        backend.fill(grads, 0f);
    }

    /** The standard deviation of every drawn initial value. */
    static final float INIT_STDDEV = 0.02f;

    /**
     * The initial contents of a layout's flat buffer, computed on the host so every backend starts identically.
     * Tensor i draws from stream {@code streamBase + i} (normals at step 0).
     */
    static float[] initialValues(ParameterLayout layout, CounterRng rng, int streamBase) {
        float[] host = new float[layout.size()];
        List<ParameterLayout.Entry> entries = layout.entries();
        for (int i = 0; i < entries.size(); i++) {
            ParameterLayout.Entry e = entries.get(i);
            switch (e.init()) {
                case TRUNCATED_NORMAL -> rng.fillTruncatedNormal(host, e.offset(), e.size(), INIT_STDDEV, streamBase + i);
                case NORMAL -> rng.fillNormal(host, e.offset(), e.size(), 0f, INIT_STDDEV, streamBase + i, 0);
                case NORMAL_MEAN_ONE -> rng.fillNormal(host, e.offset(), e.size(), 1f, INIT_STDDEV, streamBase + i, 0);
                case ONES -> java.util.Arrays.fill(host, e.offset(), e.offset() + e.size(), 1f);
                case ZEROS -> { }
            }
        }
        return host;
    }

    public ParameterLayout paramLayout() {
        return paramLayout;
    }

    public ParameterLayout bufferLayout() {
        return bufferLayout;
    }

    public Tensor param(String name) {
        return lookup(paramViews, name);
    }

    public Tensor grad(String name) {
        return lookup(gradViews, name);
    }

    public Tensor buffer(String name) {
        return lookup(bufferViews, name);
    }

    private static Tensor lookup(Map<String, Tensor> views, String name) {
        Tensor t = views.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return t;
    }

    public Tensor params() {
        return params;
    }

    public Tensor grads() {
        return grads;
    }

    public Tensor adamM() {
        return adamM;
    }

    public Tensor adamV() {
        return adamV;
    }

    public Tensor buffers() {
        return buffers;
    }

    @Override
    public void close() {
        params.close();
        grads.close();
        adamM.close();
        adamV.close();
        buffers.close();
    }
}
