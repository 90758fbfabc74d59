package dcgan.data;

import java.util.Locale;

/**
 * The colour that transparent pixels (a PNG's or GIF's alpha, an RGBA array's fourth channel) are composited onto:
 * a pixel of colour {@code c} and opacity {@code a} (0..255) becomes {@code (c * a + background * (255 - a)) / 255},
 * rounded.
 */
public record Background(int red, int green, int blue) {

    public static final Background WHITE = new Background(255, 255, 255);
    public static final Background BLACK = new Background(0, 0, 0);

    private static final String EXPECTED = "white, black or R,G,B with each of R, G and B in 0..255, e.g. 128,128,128";

    public Background {
        if (outside(red) || outside(green) || outside(blue)) {
            throw new IllegalArgumentException("a background colour's components are 0..255, not " + red + ","
                    + green + "," + blue);
        }
    }

    /**
     * The colour that the text of {@code --background} names: {@code white}, {@code black} (in any case) or
     * {@code R,G,B}.
     *
     * @throws IllegalArgumentException naming {@code --background}, the text and what it should be
     */
    public static Background parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("white")) {
            return WHITE;
        }
        if (t.equalsIgnoreCase("black")) {
            return BLACK;
        }
        String[] parts = t.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("--background needs " + EXPECTED + ", got '" + text + "'");
        }
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            String part = parts[c].strip();
            try {
                rgb[c] = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--background '" + text + "': '" + part
                        + "' is not a whole number; expected " + EXPECTED);
            }
            if (outside(rgb[c])) {
                throw new IllegalArgumentException("--background '" + text + "': " + rgb[c]
                        + " is outside 0..255; expected " + EXPECTED);
            }
        }
        return new Background(rgb[0], rgb[1], rgb[2]);
    }

    /** Whether the colour is a grey (black and white included): compositing onto it keeps a grey image grey. */
    public boolean grey() {
        return red == green && green == blue;
    }

    /** Component {@code c}: 0 red, 1 green, 2 blue. */
    int component(int c) {
        return c == 0 ? red : c == 1 ? green : blue;
    }

    private static boolean outside(int v) {
        return v < 0 || v > 255;
    }

    /** As {@link #parse} reads it: "white", "black" or "R,G,B". */
    @Override
    public String toString() {
        if (equals(WHITE)) {
            return "white";
        }
        return equals(BLACK) ? "black" : String.format(Locale.ROOT, "%d,%d,%d", red, green, blue);
    }
}
