package dcgan.model;

import dcgan.backend.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor of a network lives inside one flat buffer. Keeping all of a network's
 * parameters in one buffer lets the optimiser update them in a single pass (one kernel launch on a GPU)
 * and makes saving and loading a copy of one array.
 *
 * <p>Names and shapes are those of the equivalent PyTorch modules, e.g. {@code D.c1.weight [64, 1, 4, 4]}.
 */
public final class ParameterLayout {

    /** How a tensor starts out. */
    public enum Init {
        /** Truncated normal, mean 0, stddev 0.02, redrawn beyond 2 stddev (TensorFlow's rule). */
        TRUNCATED_NORMAL,
        ZEROS,
        ONES,
        /** Normal, mean 0, stddev 0.02, not truncated: PyTorch's DCGAN example for convolution weights. */
        NORMAL,
        /** Normal, mean 1, stddev 0.02: PyTorch's DCGAN example for batch-norm weights (gamma). */
        NORMAL_MEAN_ONE
    }

    public record Entry(String name, int[] shape, int offset, int size, Init init) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int size;

    /** Appends a tensor; names must be unique. */
    public ParameterLayout add(String name, Init init, int... shape) {
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter name " + name);
        }
        int n = Tensor.sizeOf(shape);
        entries.put(name, new Entry(name, shape, size, n, init));
        size += n;
        return this;
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no parameter named " + name + " (have " + entries.keySet() + ")");
        }
        return e;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /** Total number of floats. */
    public int size() {
        return size;
    }
}
