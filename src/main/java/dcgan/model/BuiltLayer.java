package dcgan.model;

import dcgan.backend.Tensor;

/**
 * A {@link Layer} made on a backend for one batch size. {@link #forward} keeps what {@link #backward} needs,
 * so backward always differentiates the latest forward.
 */
interface BuiltLayer extends AutoCloseable {

    /** The layer's output for input x; the returned tensor belongs to the layer (it is x itself when in place). */
    Tensor forward(Tensor x, Mode mode);

    /**
     * Gradients from dy, the gradient of the latest forward's output: the input gradient into dx (null: not
     * needed), the parameter gradients as {@code want} says.
     */
    void backward(Tensor dy, Tensor dx, Gradients want);

    /** Whether the output is written over the input, so that the input gradient may be written over dy too. */
    default boolean inPlace() {
        return false;
    }

    @Override
    void close();
}
