package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.CapturedWork;
import dcgan.backend.Tensor;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.ModelSpec;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static dcgan.model.Gradients.ACCUMULATE;
import static dcgan.model.Gradients.NONE;
import static dcgan.model.Gradients.WRITE;
import static dcgan.model.Mode.TRAINING;

/**
 * One training iteration of docs/model.md on any backend: draw z, (1) update D, (2) update G with the same z,
 * for either model family. The notebook's G update runs G again on z; PyTorch's example's reuses the images
 * G drew for the D update ({@link ModelSpec#reusesGeneratedImages}), which are the same images. Everything stays on the backend; the three losses stay there too, in a small
 * tensor that {@link #losses} (or a {@link StepRunner}) reads back.
 *
 * <p>With {@code captureSteps} the gradient computation of each update (everything between drawing z and
 * the Adam step) is captured once with {@link Backend#capture} and replayed every step: on the GPU one CUDA
 * graph launch instead of about a hundred launches from Java. The batch, z and Adam's step size change
 * from step to step and stay outside the captures. The first step runs directly, so that cuBLAS and cuDNN
 * finish their lazy set-up outside a capture; a capture that fails leaves every later step direct
 * ({@link #captureFailure}). The results are the same either way.
 */
public final class GanTrainer implements AutoCloseable {

    private static final float REAL = 1f;
    private static final float FAKE = 0f;
    // Where each loss goes in the losses tensor.
    private static final int D_REAL_LOSS = 0;
    private static final int D_FAKE_LOSS = 1;
    private static final int G_LOSS = 2;
    // Streams 1000.. initialise D's tensors, 1100.. G's (CounterRng.STREAM_INIT_BASE).
    private static final int D_INIT_STREAMS = CounterRng.STREAM_INIT_BASE;
    private static final int G_INIT_STREAMS = CounterRng.STREAM_INIT_BASE + 100;

    private final Backend backend;
    private final Hyperparameters hp;
    private final ModelSpec model;
    private final CounterRng rng;
    private final NetworkState dState;
    private final NetworkState gState;
    private final Discriminator d;
    private final Generator g;
    private final AdamSchedule dAdam;
    private final AdamSchedule gAdam;
    private final Tensor real;
    private final Tensor z;
    private final Tensor dLogits;
    private final Tensor dFake;
    private final Tensor losses;
    private final Captures captures;
    /** Everything the trainer allocated, newest first: the order to free it in. */
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private long step;

    /** A trainer at step 0 with freshly initialised networks, each step run directly. */
    public GanTrainer(Backend backend, Hyperparameters hp, ModelSpec model, CounterRng rng) {
        this(backend, hp, model, rng, false, null);
    }

    /**
     * A trainer that continues from {@code state} (a snapshot of a trainer with the same constants), or
     * starts at step 0 with freshly initialised networks when it is null.
     */
    public GanTrainer(Backend backend, Hyperparameters hp, ModelSpec model, CounterRng rng, boolean captureSteps,
                      TrainerState state) {
        this.backend = backend;
        this.hp = hp;
        this.model = model;
        this.rng = rng;
        int b = hp.batchSize();
        dAdam = new AdamSchedule(hp.lr(), hp.beta1(), hp.beta2());
        gAdam = new AdamSchedule(hp.generatorLr(), hp.beta1(), hp.beta2());
        try {
            dState = own(new NetworkState(backend, Discriminator.layout(model), D_INIT_STREAMS));
            gState = own(new NetworkState(backend, Generator.layout(model), G_INIT_STREAMS));
            d = own(new Discriminator(backend, dState, model, b));
            g = own(new Generator(backend, gState, model, b));
            real = own(backend.allocate(model.imageShape(b)));
            z = own(backend.allocate(b, model.zDim()));
            dLogits = own(backend.allocate(b, 1));
            dFake = own(backend.allocate(model.imageShape(b)));
            losses = own(backend.allocate(3));
            captures = own(new Captures(captureSteps));
            if (state == null) {
                dState.initialise(rng);
                gState.initialise(rng);
            } else {
                restore(state); // initialising first would be wasted: the truncated normals take most of a second
            }
        } catch (RuntimeException | Error e) {
            try {
                close(); // what was made so far: device memory is not garbage-collected
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    /** One iteration on a batch of real images on the backend ({@code [batchSize, C, S, S]}, in the model's range). */
    public void step(Tensor batch) {
        updateDiscriminator(batch);
        updateGenerator();
    }

    /**
     * The first half of {@link #step}, which starts the step: this step's z, then (1) update D: maximise
     * log D(x) + log(1 - D(G(z))), as the sum of two cross-entropies, with G's output held constant.
     */
    public void updateDiscriminator(Tensor batch) {
        step++;
        backend.copy(batch, real);
        drawNoise(backend, model, z, rng, CounterRng.STREAM_NOISE, step);
        captures.run("D", () -> {
            Tensor fake = g.forward(z, TRAINING);
            loss(d.forward(real, TRAINING), REAL, D_REAL_LOSS);
            d.backward(dLogits, null, WRITE);
            loss(d.forward(fake, TRAINING), FAKE, D_FAKE_LOSS);
            d.backward(dLogits, null, ACCUMULATE); // D's gradient: the real half plus the fake half
        });
        adam(dState, dAdam);
    }

    /**
     * The second half of {@link #step}: (2) update G: maximise log D(G(z)) with the same z, through the
     * just-updated D, whose own gradients are not wanted.
     */
    public void updateGenerator() {
        captures.run("G", () -> {
            // G's output tensor still holds the D update's images when G is not run again.
            Tensor fake = model.reusesGeneratedImages() ? g.output() : g.forward(z, TRAINING);
            loss(d.forward(fake, TRAINING), REAL, G_LOSS);
            d.backward(dLogits, dFake, NONE);
            g.backward(dFake, null, WRITE);
        });
        adam(gState, gAdam);
    }

    /**
     * The noise of a model, U(-1, 1) or N(0, 1), drawn on the backend from {@code rng}'s {@code stream} at
     * {@code step}: the same values on every backend.
     */
    static void drawNoise(Backend backend, ModelSpec model, Tensor z, CounterRng rng, int stream, long step) {
        if (model.noise() == ModelSpec.Noise.UNIFORM) {
            backend.uniform(z, rng, stream, step, -1f, 1f);
        } else {
            backend.normal(z, rng, stream, step);
        }
    }

    /** Sigmoid cross-entropy of the logits against a label: the mean into losses[index], its gradient into dLogits. */
    private void loss(Tensor logits, float label, int index) {
        backend.sigmoidCrossEntropy(logits, label, dLogits, losses, index);
    }

    private void adam(NetworkState s, AdamSchedule schedule) {
        backend.adam(s.params(), s.grads(), s.adamM(), s.adamV(), schedule.nextStepSize(), hp.beta1(), hp.beta2(),
                hp.epsilon());
    }

    /** The latest step's losses, read back from the backend (after waiting for it). */
    public StepLosses losses() {
        return StepLosses.of(backend.download(losses));
    }

    /** The tensor the losses of the latest step are written to: D_real, D_fake, G. */
    Tensor lossTensor() {
        return losses;
    }

    /** Iterations done so far; the next one is {@code steps() + 1}. */
    public long steps() {
        return step;
    }

    public NetworkState discriminatorState() {
        return dState;
    }

    public NetworkState generatorState() {
        return gState;
    }

    /**
     * Why capturing the steps failed, after which they run directly with the same results; null when capture
     * works or was not asked for. Callers report it: speed measured after it is not a graph's.
     */
    public RuntimeException captureFailure() {
        return captures.failure;
    }

    /**
     * Copies the trainer's state to the host (through {@link Backend#download}, so on the calling thread,
     * which must be the training thread on a GPU).
     */
    public TrainerState snapshot() {
        return new TrainerState(step, snapshot(dState, dAdam), snapshot(gState, gAdam));
    }

    /** G's state alone, copied to the host: what sampling needs. */
    public NetworkSnapshot snapshotGenerator() {
        return snapshot(gState, gAdam);
    }

    private NetworkSnapshot snapshot(NetworkState s, AdamSchedule adam) {
        return new NetworkSnapshot(backend.download(s.params()), backend.download(s.buffers()),
                backend.download(s.adamM()), backend.download(s.adamV()), adam.step());
    }

    /** Replaces the trainer's state with a snapshot of the same model, so that the next step continues it. */
    public void restore(TrainerState state) {
        restore(dState, dAdam, state.discriminator(), "discriminator");
        restore(gState, gAdam, state.generator(), "generator");
        step = state.step();
    }

    private void restore(NetworkState s, AdamSchedule adam, NetworkSnapshot snap, String which) {
        if (snap.params().length != s.params().size() || snap.buffers().length != s.buffers().size()) {
            throw new IllegalArgumentException("the " + which + " snapshot has " + snap.params().length
                    + " parameters and " + snap.buffers().length + " buffer values; this model has "
                    + s.params().size() + " and " + s.buffers().size());
        }
        backend.upload(snap.params(), 0, s.params());
        backend.upload(snap.buffers(), 0, s.buffers());
        backend.upload(snap.adamM(), 0, s.adamM());
        backend.upload(snap.adamV(), 0, s.adamV());
        adam.resumeAt(snap.adamStep());
    }

    /**
     * Runs each named piece of work directly, or (when capturing) directly the first time, captured the
     * second, and replayed from then on.
     */
    private final class Captures implements AutoCloseable {
        private final boolean enabled;
        private final Set<String> ranOnce = new HashSet<>();
        private final Map<String, CapturedWork> captured = new HashMap<>();
        private RuntimeException failure;

        Captures(boolean enabled) {
            this.enabled = enabled;
        }

        void run(String name, Runnable work) {
            if (!enabled || failure != null || ranOnce.add(name)) {
                work.run();
                return;
            }
            CapturedWork graph = captured.get(name);
            if (graph == null) {
                try {
                    graph = backend.capture(work);
                } catch (RuntimeException e) {
                    // A capture records without running, so nothing of this step has run yet: run it directly,
                    // and every later step too (captureFailure() tells the caller why).
                    failure = e;
                    work.run();
                    return;
                }
                captured.put(name, graph);
            }
            graph.replay();
        }

        @Override
        public void close() {
            captured.values().forEach(CapturedWork::close);
            captured.clear();
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
