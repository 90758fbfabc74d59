package dcgan.io;

/** A count with its noun, singular for one: "1 image", "0 images", "3 labels". */
public final class Plural {

    private Plural() {
    }

    /** {@code n} and {@code noun}, with an "s" unless {@code n} is 1; for nouns that take one. */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
