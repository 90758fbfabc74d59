package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.CapturedWork;
import dcgan.backend.HostMirror;
import dcgan.backend.Tensor;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.Gradients;
import dcgan.model.Mode;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

/**
 * One training iteration of SPEC.md on any backend:
 * <ol>
 *   <li>z ~ U(-1, 1) from the counter-based generator (step t, so a run can be replayed);</li>
 *   <li>D step: D(x) and D(G(z)) in training mode, D_loss = CE(D(x), 1) + CE(D(G(z)), 0), Adam on D;</li>
 *   <li>G step: G(z) again, D(G(z)) with the updated D, G_loss = CE(D(G(z)), 1) backpropagated through D
 *       into G only, Adam on G.</li>
 * </ol>
 * Everything stays on the backend; only the three losses come back to the host.
 *
 * <p>With {@code captureSteps}, the two gradient computations (everything between drawing z and each
 * Adam update) are captured once with {@link Backend#capture} and replayed every step: on the GPU each
 * becomes one CUDA graph launch instead of about a hundred launches from Java. What changes from step to
 * step stays outside the captures: the batch copied into a fixed tensor, z drawn for the step, and the
 * Adam updates, whose step size is a host scalar. The first step runs uncaptured, so that cuBLAS and cuDNN
 * finish their lazy set-up (module loading, workspaces) outside a capture. The results are the same
 * either way: the same operations run on the same tensors in the same order.
 */
public final class GanTrainer implements AutoCloseable {

    private static final int LOSS_D_REAL = 0;
    private static final int LOSS_D_FAKE = 1;
    private static final int LOSS_G = 2;
    // Streams 1000.. initialise D's tensors, 1100.. G's (CounterRng.STREAM_INIT_BASE).
    private static final int D_INIT_STREAMS = CounterRng.STREAM_INIT_BASE;
    private static final int G_INIT_STREAMS = CounterRng.STREAM_INIT_BASE + 100;

    private final Backend backend;
    private final Hyperparameters hp;
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
    private final float[] hostLosses = new float[3];
    private final Phase dGradientsPhase = new Phase(this::discriminatorGradients);
    private final Phase gGradientsPhase = new Phase(this::generatorGradients);
    private final boolean captureSteps;
    private RuntimeException captureFailure;
    // Two, used in turn: step t's losses can be read while step t + 1 runs (see stepAsync).
    private HostMirror[] lossMirrors;
    private long step;

    /** A trainer at step 0 with freshly initialised networks. */
    public GanTrainer(Backend backend, Hyperparameters hp, CounterRng rng) {
        this(backend, hp, rng, false, null);
    }

    /** A trainer at step 0 that captures its steps when {@code captureSteps} (see the class comment). */
    public GanTrainer(Backend backend, Hyperparameters hp, CounterRng rng, boolean captureSteps) {
        this(backend, hp, rng, captureSteps, null);
    }

    /** A trainer that continues from {@code state}, a snapshot of a trainer with the same constants. */
    public static GanTrainer resumed(Backend backend, Hyperparameters hp, CounterRng rng, TrainerState state,
                                     boolean captureSteps) {
        return new GanTrainer(backend, hp, rng, captureSteps, state);
    }

    private GanTrainer(Backend backend, Hyperparameters hp, CounterRng rng, boolean captureSteps,
                       TrainerState state) {
        this.backend = backend;
        this.captureSteps = captureSteps;
        this.hp = hp;
        this.rng = rng;
        int b = hp.batchSize();
        dState = new NetworkState(backend, Discriminator.layout(), D_INIT_STREAMS);
        gState = new NetworkState(backend, Generator.layout(hp.zDim()), G_INIT_STREAMS);
        d = new Discriminator(backend, dState, b);
        g = new Generator(backend, gState, b, hp.zDim());
        dAdam = new AdamSchedule(hp.lr(), hp.beta1(), hp.beta2());
        gAdam = new AdamSchedule(hp.generatorLr(), hp.beta1(), hp.beta2());
        real = backend.allocate(b, 1, 28, 28);
        z = backend.allocate(b, hp.zDim());
        dLogits = backend.allocate(b, 1);
        dFake = backend.allocate(b, 1, 28, 28);
        losses = backend.allocate(3);
        if (state == null) {
            dState.initialise(rng);
            gState.initialise(rng);
        } else {
            // Initialising first would be wasted: drawing the truncated normals takes most of a second.
            try {
                restore(state);
            } catch (RuntimeException e) {
                close(); // device memory is not garbage-collected
                throw e;
            }
        }
    }

    public NetworkState discriminatorState() {
        return dState;
    }

    public NetworkState generatorState() {
        return gState;
    }

    /**
     * Why capturing the steps failed, after which they run uncaptured with the same results; null when
     * capture works or was not asked for. Callers report it: speed measured after it is not a graph's.
     */
    public RuntimeException captureFailure() {
        return captureFailure;
    }

    /** Iterations done so far; the next one is {@code steps() + 1}. */
    public long steps() {
        return step;
    }

    /**
     * Copies the trainer's state to the host (through {@link Backend#download}, so on the calling thread,
     * which must be the training thread on a GPU).
     */
    public TrainerState snapshot() {
        return new TrainerState(step, snapshot(dState, dAdam), snapshot(gState, gAdam));
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
     * Trains on {@code batchSize} images taken from {@code images[offset...]} (28x28 each, in [0, 1]).
     * Returns the losses, read back from the backend.
     */
    public StepLosses step(float[] images, int offset) {
        trainDiscriminator(images, offset);
        trainGenerator();
        return losses();
    }

    /**
     * Trains on a batch that is already on the backend ({@code [batchSize, 1, 28, 28]}, e.g. a view of a
     * dataset uploaded once), which saves the copy from the host on every step.
     */
    public StepLosses step(Tensor batch) {
        queueStep(batch);
        return losses();
    }

    private void queueStep(Tensor batch) {
        step++;
        backend.copy(batch, real);
        updateDiscriminator();
        trainGenerator();
    }

    /**
     * The losses of one queued step, read when needed. At most one step may be queued ahead of an unread
     * one: read step t's losses before queueing step t + 2.
     */
    public final class PendingLosses {
        private final long ofStep;

        private PendingLosses(long ofStep) {
            this.ofStep = ofStep;
        }

        /** The step these losses belong to. */
        public long step() {
            return ofStep;
        }

        /** Waits for this step's losses (not for later queued work) and returns them. */
        public StepLosses get() {
            if (step - ofStep >= lossMirrors.length) {
                throw new IllegalStateException("the losses of step " + ofStep + " were overwritten by step " + step
                                                + ": read them before queueing step " + (ofStep + 2));
            }
            float[] v = lossMirrors[(int) (ofStep % lossMirrors.length)].values();
            return new StepLosses(v[LOSS_D_REAL], v[LOSS_D_FAKE], v[LOSS_G]);
        }
    }

    /**
     * {@link #step(Tensor)} without waiting for it: queues the step and a copy of its losses, and returns
     * at once, so that the host can queue the next step while this one runs and the device never waits for
     * the host between steps. The results are the same.
     */
    public PendingLosses stepAsync(Tensor batch) {
        queueStep(batch);
        return queueLosses();
    }

    /** {@link #step(float[], int)} without waiting for the step (see {@link #stepAsync(Tensor)}). */
    public PendingLosses stepAsync(float[] images, int offset) {
        trainDiscriminator(images, offset);
        trainGenerator();
        return queueLosses();
    }

    private PendingLosses queueLosses() {
        if (lossMirrors == null) {
            lossMirrors = new HostMirror[] {backend.hostMirror(losses), backend.hostMirror(losses)};
        }
        lossMirrors[(int) (step % lossMirrors.length)].refresh();
        return new PendingLosses(step);
    }

    /** The losses of the latest step (or half step), read back from the backend. */
    public StepLosses losses() {
        backend.download(losses, hostLosses, 0);
        return new StepLosses(hostLosses[LOSS_D_REAL], hostLosses[LOSS_D_FAKE], hostLosses[LOSS_G]);
    }

    /**
     * The first half of {@link #step}: draws this step's z and updates D. Public so that tests can compare
     * backends half by half; training calls {@link #step}.
     */
    public void trainDiscriminator(float[] images, int offset) {
        step++;
        backend.upload(images, offset, real);
        updateDiscriminator();
    }

    private void updateDiscriminator() {
        backend.uniform(z, rng, CounterRng.STREAM_NOISE, step, -1f, 1f);
        dGradientsPhase.run();
        backend.adam(dState.params(), dState.grads(), dState.adamM(), dState.adamV(),
                dAdam.nextStepSize(), hp.beta1(), hp.beta2(), hp.epsilon());
    }

    /** D's loss and gradients for {@code real} and G(z); G's output is a constant here. */
    private void discriminatorGradients() {
        Tensor fake = g.forward(z, Mode.TRAINING);
        backend.sigmoidCrossEntropy(d.forward(real, Mode.TRAINING), 1f, dLogits, losses, LOSS_D_REAL);
        d.backward(dLogits, null, Gradients.WRITE);
        // D's gradient is the sum of the real and fake halves.
        backend.sigmoidCrossEntropy(d.forward(fake, Mode.TRAINING), 0f, dLogits, losses, LOSS_D_FAKE);
        d.backward(dLogits, null, Gradients.ACCUMULATE);
    }

    /**
     * The second half of {@link #step}: with the same z, gradients flow through the updated D into G
     * alone, and G is updated.
     */
    public void trainGenerator() {
        gGradientsPhase.run();
        backend.adam(gState.params(), gState.grads(), gState.adamM(), gState.adamV(),
                gAdam.nextStepSize(), hp.beta1(), hp.beta2(), hp.epsilon());
    }

    /** G's loss and gradients through the updated D, whose own weight gradients are not needed. */
    private void generatorGradients() {
        Tensor fake = g.forward(z, Mode.TRAINING);
        backend.sigmoidCrossEntropy(d.forward(fake, Mode.TRAINING), 1f, dLogits, losses, LOSS_G);
        d.backward(dLogits, dFake, Gradients.NONE);
        g.backward(dFake, Gradients.WRITE);
    }

    /**
     * One of the two gradient computations: run directly, or (with {@code captureSteps}) run directly the
     * first time and captured the second, then replayed.
     */
    private final class Phase implements AutoCloseable {
        private final Runnable work;
        private boolean ranOnce;
        private CapturedWork captured;

        Phase(Runnable work) {
            this.work = work;
        }

        void run() {
            if (!captureSteps || captureFailure != null || !ranOnce) {
                work.run();
                ranOnce = true;
                return;
            }
            if (captured == null) {
                try {
                    captured = backend.capture(work);
                } catch (RuntimeException e) {
                    // A capture records without running, so nothing of this step has run yet: do it directly,
                    // and from now on every step (captureFailure() tells the caller why).
                    captureFailure = e;
                    work.run();
                    return;
                }
            }
            captured.replay();
        }

        @Override
        public void close() {
            if (captured != null) {
                captured.close();
                captured = null;
            }
        }
    }

    @Override
    public void close() {
        if (lossMirrors != null) {
            for (HostMirror m : lossMirrors) {
                m.close();
            }
        }
        dGradientsPhase.close();
        gGradientsPhase.close();
        d.close();
        g.close();
        dState.close();
        gState.close();
        for (Tensor t : new Tensor[] {real, z, dLogits, dFake, losses}) {
            t.close();
        }
    }
}
