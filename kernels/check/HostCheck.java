import dcgan.backend.Tensor;
import dcgan.backend.cpu.CpuBackend;
import dcgan.random.CounterRng;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the kernel outputs written by host_check.cpp (the kernels/*.cu source run on the CPU)
 * with the Java CPU reference: CpuBackend's elementwise ops, sigmoid cross-entropy and Adam, and
 * CounterRng#fillUniform and #fillNormal. Every float must match bit for bit (any NaN matches any NaN), except the
 * cross-entropy loss, whose double sum is added in a different order and may differ by one float ulp.
 *
 * Run by kernels/check/host_check.sh: java -cp target/classes kernels/check/HostCheck.java FILE
 */
public final class HostCheck {

    private static final CpuBackend CPU = new CpuBackend(1);

    private record Rec(String name, String config, int[] params, List<float[]> arrays) {}

    private static final Map<String, long[]> SUMMARY = new TreeMap<>(); // kernel -> {records, elements, mismatches}
    private static int lossOneUlp;
    private static int lossExact;
    private static int failures;

    public static void main(String[] args) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[0]))).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            check(read(in));
        }
        SUMMARY.forEach((k, s) -> System.out.printf("%-22s %3d launches %9d values  %s%n", k, s[0], s[1],
                s[2] == 0 ? "all bit-identical to Java" : s[2] + " MISMATCHES"));
        System.out.printf("sigmoid_cross_entropy loss: %d bit-identical, %d one float ulp apart%n", lossExact, lossOneUlp);
        CPU.close();
        if (failures > 0) {
            System.out.println("HostCheck: FAILED (" + failures + " mismatching launches)");
            System.exit(1);
        }
        System.out.println("HostCheck: passed");
    }

    private static Rec read(ByteBuffer in) {
        int len = in.getInt();
        byte[] name = new byte[len];
        in.get(name);
        in.position(in.position() + (4 - len % 4) % 4);
        String[] parts = new String(name, StandardCharsets.UTF_8).split("\\|", 2);
        int[] params = new int[in.getInt()];
        for (int i = 0; i < params.length; i++) {
            params[i] = in.getInt();
        }
        int arrays = in.getInt();
        List<float[]> list = new ArrayList<>();
        for (int a = 0; a < arrays; a++) {
            float[] f = new float[in.getInt()];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.intBitsToFloat(in.getInt());
            }
            list.add(f);
        }
        return new Rec(parts[0], parts[1], params, list);
    }

    private static Tensor up(float[] a) {
        Tensor t = CPU.allocate(a.length);
        CPU.upload(a, 0, t);
        return t;
    }

    private static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static void check(Rec r) {
        List<float[]> a = r.arrays();
        int[] p = r.params();
        switch (r.name()) {
            case "leaky_relu_forward" -> {
                Tensor y = CPU.allocate(a.get(0).length);
                CPU.leakyRelu(up(a.get(0)), y, f(p[0]));
                compare(r, "y", CPU.download(y), a.get(1));
            }
            case "leaky_relu_backward" -> {
                Tensor dx = CPU.allocate(a.get(0).length);
                CPU.leakyReluBackward(up(a.get(0)), up(a.get(1)), dx, f(p[0]));
                compare(r, "dx", CPU.download(dx), a.get(2));
            }
            case "relu_forward" -> {
                Tensor y = CPU.allocate(a.get(0).length);
                CPU.relu(up(a.get(0)), y);
                compare(r, "y", CPU.download(y), a.get(1));
            }
            case "relu_backward" -> {
                Tensor dx = CPU.allocate(a.get(0).length);
                CPU.reluBackward(up(a.get(0)), up(a.get(1)), dx);
                compare(r, "dx", CPU.download(dx), a.get(2));
            }
            case "sigmoid_forward" -> {
                Tensor y = CPU.allocate(a.get(0).length);
                CPU.sigmoid(up(a.get(0)), y);
                compare(r, "y", CPU.download(y), a.get(1));
            }
            case "sigmoid_backward" -> {
                Tensor dx = CPU.allocate(a.get(0).length);
                CPU.sigmoidBackward(up(a.get(0)), up(a.get(1)), dx);
                compare(r, "dx", CPU.download(dx), a.get(2));
            }
            case "tanh_forward" -> {
                Tensor y = CPU.allocate(a.get(0).length);
                CPU.tanh(up(a.get(0)), y);
                compare(r, "y", CPU.download(y), a.get(1));
            }
            case "tanh_backward" -> {
                Tensor dx = CPU.allocate(a.get(0).length);
                CPU.tanhBackward(up(a.get(0)), up(a.get(1)), dx);
                compare(r, "dx", CPU.download(dx), a.get(2));
            }
            case "sigmoid_cross_entropy" -> {
                Tensor d = CPU.allocate(a.get(0).length);
                Tensor loss = CPU.allocate(1);
                CPU.sigmoidCrossEntropy(up(a.get(0)), f(p[0]), d, loss, 0);
                compare(r, "dlogits", CPU.download(d), a.get(1));
                float want = CPU.download(loss)[0];
                float got = a.get(2)[0];
                if (same(want, got)) {
                    lossExact++;
                } else if (Math.abs(Float.floatToIntBits(want) - Float.floatToIntBits(got)) == 1) {
                    lossOneUlp++;
                    System.out.printf("note: %s %s: loss %s vs Java %s (1 ulp)%n", r.name(), r.config(), got, want);
                } else {
                    failures++;
                    System.out.printf("MISMATCH %s %s: loss %s vs Java %s%n", r.name(), r.config(), got, want);
                }
            }
            case "adam_step" -> {
                Tensor pt = up(a.get(0));
                Tensor m = up(a.get(2));
                Tensor v = up(a.get(3));
                CPU.adam(pt, up(a.get(1)), m, v, f(p[0]), f(p[1]), f(p[2]), f(p[3]));
                compare(r, "p", CPU.download(pt), a.get(4));
                compare(r, "m", CPU.download(m), a.get(5));
                compare(r, "v", CPU.download(v), a.get(6));
            }
            case "philox_uniform" -> {
                long seed = (p[0] & 0xFFFF_FFFFL) | ((long) p[1] << 32);
                long step = (p[3] & 0xFFFF_FFFFL) | ((long) p[4] << 32);
                float[] want = new float[a.get(0).length];
                new CounterRng(seed).fillUniform(want, 0, want.length, f(p[5]), f(p[6]), p[2], step);
                compare(r, "dst", want, a.get(0));
                // the same through the backend interface
                Tensor t = CPU.allocate(want.length);
                CPU.uniform(t, new CounterRng(seed), p[2], step, f(p[5]), f(p[6]));
                compare(r, "dst via CpuBackend", CPU.download(t), a.get(0));
            }
            case "philox_normal" -> {
                long seed = (p[0] & 0xFFFF_FFFFL) | ((long) p[1] << 32);
                long step = (p[3] & 0xFFFF_FFFFL) | ((long) p[4] << 32);
                float[] want = new float[a.get(0).length];
                new CounterRng(seed).fillNormal(want, 0, want.length, p[2], step);
                compare(r, "dst", want, a.get(0));
                Tensor t = CPU.allocate(want.length);
                CPU.normal(t, new CounterRng(seed), p[2], step);
                compare(r, "dst via CpuBackend", CPU.download(t), a.get(0));
            }
            default -> throw new IllegalStateException("unknown record " + r.name());
        }
    }

    private static boolean same(float x, float y) {
        return Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y) || (Float.isNaN(x) && Float.isNaN(y));
    }

    private static void compare(Rec r, String what, float[] want, float[] got) {
        long[] s = SUMMARY.computeIfAbsent(r.name(), k -> new long[3]);
        s[0]++;
        s[1] += want.length;
        int bad = 0;
        for (int i = 0; i < want.length; i++) {
            if (!same(want[i], got[i])) {
                if (bad++ < 5) {
                    System.out.printf("MISMATCH %s %s %s[%d]: kernel %s (%08x), Java %s (%08x)%n", r.name(), r.config(),
                            what, i, got[i], Float.floatToRawIntBits(got[i]), want[i], Float.floatToRawIntBits(want[i]));
                }
            }
        }
        if (want.length != got.length) {
            bad++;
            System.out.printf("MISMATCH %s %s %s: length %d vs %d%n", r.name(), r.config(), what, got.length, want.length);
        }
        s[2] += bad;
        if (bad > 0) {
            failures++;
        }
    }
}
