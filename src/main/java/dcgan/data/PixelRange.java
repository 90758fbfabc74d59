package dcgan.data;

/**
 * The range a model's images live in: what a training batch is scaled to, and what G's last activation
 * produces. Files and pictures always hold {@code [0, 1]} (or bytes); {@link #toUnit} brings a model's values
 * there.
 */
public enum PixelRange {
    /** {@code [0, 1]}: byte / 255, the notebook's scaling; G ends in a sigmoid. */
    UNIT,
    /**
     * {@code [-1, 1]}: (byte / 255 - 0.5) / 0.5, as PyTorch's {@code ToTensor} then {@code Normalize(0.5, 0.5)}
     * compute it in float; G ends in tanh.
     */
    SYMMETRIC;

    /** An unsigned pixel byte as a value in this range. */
    public float fromByte(byte b) {
        float unit = Byte.toUnsignedInt(b) / 255f;
        return this == UNIT ? unit : (unit - 0.5f) / 0.5f;
    }

    /** A value of this range in {@code [0, 1]}; values outside the range stay outside it. */
    public float toUnit(float v) {
        return this == UNIT ? v : (v + 1f) * 0.5f;
    }

    /** The lower end of the range. */
    public float low() {
        return this == UNIT ? 0f : -1f;
    }
}
