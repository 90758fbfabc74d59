package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list of {@link Layer}s made on a backend for one batch size: forward runs them in order, backward in
 * reverse. It owns each layer's output and one gradient buffer per layer input; an activation works in
 * place, on its input and on the gradient that reaches it. Parameters live in a {@link NetworkState}, which
 * several networks (say, one per batch size) can share.
 *
 * <p>Backward differentiates the latest forward; a network holds the activations of one batch at a time.
 */
public class Network implements AutoCloseable {

    private final int batch;
    private final List<BuiltLayer> layers = new ArrayList<>();
    // inputGradients[i]: where layer i writes the gradient of its input; null for layer 0 (the caller's dx).
    private final Tensor[] inputGradients;
    private final List<Tensor> owned = new ArrayList<>();
    private Tensor output;

    protected Network(Backend backend, NetworkState state, List<Layer> declared, int batch) {
        this.batch = batch;
        int n = declared.size();
        int[] inSizes = sizes(declared);
        inputGradients = new Tensor[n];
        try {
            for (int i = 0; i < n; i++) {
                layers.add(declared.get(i).build(backend, state, batch, inSizes[i]));
            }
            for (int i = n - 1; i > 0; i--) {
                boolean overDy = layers.get(i).inPlace() && i < n - 1; // dy is ours, not the caller's
                if (overDy) {
                    inputGradients[i] = inputGradients[i + 1];
                } else {
                    inputGradients[i] = backend.allocate(batch, inSizes[i]);
                    owned.add(inputGradients[i]);
                }
            }
        } catch (RuntimeException e) {
            close(); // device memory is not garbage-collected
            throw e;
        }
    }

    /** A network of any list of layers (the quality scorer's classifier, say), with its tensors in {@code state}. */
    public static Network of(Backend backend, NetworkState state, List<Layer> layers, int batch) {
        return new Network(backend, state, layers, batch);
    }

    /**
     * The largest buffer that a network of {@code layers} (called {@code name}) holds at a batch size: the
     * largest of its layers' ({@link Layer#buffers}) and its flat parameter buffers ({@link NetworkState}).
     */
    public static BufferSize largestBuffer(String name, List<Layer> layers, int batch) {
        long parameters = layers.stream().mapToLong(Layer::parameterCount).sum();
        BufferSize largest = BufferSize.of(name + "'s flat parameter buffer", parameters);
        for (Layer layer : layers) {
            for (BufferSize b : layer.buffers(batch)) {
                largest = largest.max(b);
            }
        }
        return largest;
    }

    /** Each layer's input size per image, checked against what the previous layer puts out. */
    private static int[] sizes(List<Layer> layers) {
        if (layers.isEmpty() || layers.get(0).inSize() == Layer.ANY) {
            throw new IllegalArgumentException("a network starts with a layer of known input size: " + layers);
        }
        int[] in = new int[layers.size()];
        int size = layers.get(0).inSize();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l.inSize() != Layer.ANY && l.inSize() != size) {
                throw new IllegalArgumentException(l + " takes " + l.inSize() + " values per image, but gets " + size
                                                   + " (input sizes so far: " + Arrays.toString(Arrays.copyOf(in, i)) + ")");
            }
            in[i] = size;
            size = l.outSize(size);
        }
        return in;
    }

    public int batch() {
        return batch;
    }

    /** The network's output for {@code x} (which it does not change); the tensor is reused by the next call. */
    public Tensor forward(Tensor x, Mode mode) {
        for (BuiltLayer l : layers) {
            x = l.forward(x, mode);
        }
        output = x;
        return x;
    }

    /** The tensor the latest {@link #forward} returned, which holds its output until the next forward. */
    public Tensor output() {
        if (output == null) {
            throw new IllegalStateException("no forward pass yet");
        }
        return output;
    }

    /**
     * Backpropagates {@code dy}, the gradient of the latest training-mode forward's output: into dx (the
     * gradient of the input; null when not needed), and into the parameter gradients as {@code want} says.
     */
    public void backward(Tensor dy, Tensor dx, Gradients want) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Tensor into = i == 0 ? dx : inputGradients[i];
            layers.get(i).backward(dy, into, want);
            dy = into;
        }
    }

    @Override
    public void close() {
        for (BuiltLayer l : layers) {
            l.close();
        }
        for (Tensor t : owned) {
            t.close();
        }
    }
}
