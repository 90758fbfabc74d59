package dcgan.model;

import java.util.Arrays;

/**
 * One buffer that a network holds while it trains, what it is and how many floats it holds, e.g.
 * {@code D.c2's im2col patch matrix [529200, 1024]}: what bounds the batch sizes a model can train at, since
 * every backend keeps each buffer in one allocation of at most {@link dcgan.backend.Tensor#MAX_SIZE} floats.
 */
public record BufferSize(String what, long floats) {

    /** A buffer of the given shape, the shape part of its name; sizes beyond a long count as the largest. */
    static BufferSize of(String what, long... shape) {
        long n = 1;
        for (long d : shape) {
            n = n > Long.MAX_VALUE / Math.max(d, 1) ? Long.MAX_VALUE : n * d;
        }
        return new BufferSize(what + " " + Arrays.toString(shape), n);
    }

    /** The larger of two buffers ({@code this} when they are equal). */
    public BufferSize max(BufferSize other) {
        return other.floats > floats ? other : this;
    }
}
