package dcgan.train;

/** Summary statistics that tell digits (mostly black, some bright strokes) from noise or grey. */
record ImageStats(double mean, double inkFraction, double darkFraction) {

    static ImageStats of(float[] pixels, int from, int count) {
        double sum = 0;
        long ink = 0;
        long dark = 0;
        for (int i = from; i < from + count; i++) {
            float v = pixels[i];
            if (!Float.isFinite(v)) {
                throw new AssertionError("pixel " + i + " is " + v);
            }
            sum += v;
            if (v > 0.5f) {
                ink++;
            }
            if (v < 0.1f) {
                dark++;
            }
        }
        return new ImageStats(sum / count, (double) ink / count, (double) dark / count);
    }

    /** How far each statistic still is from the target's, as a fraction of where it started. */
    static double remaining(double start, double now, double target) {
        return Math.abs(now - target) / Math.abs(start - target);
    }
}
