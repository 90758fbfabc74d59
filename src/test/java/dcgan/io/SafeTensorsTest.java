package dcgan.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static float[] values(int n, float seed) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(seed + i) * (i % 7 == 0 ? 1e-30f : 3f);
        }
        return v;
    }

    @Test
    void writesTheLayoutOfTheFormatAndReadsEveryValueBack() throws IOException {
        float[] flat = values(40, 1);
        flat[3] = Float.NaN;
        flat[4] = Float.NEGATIVE_INFINITY;
        flat[5] = -0f;
        flat[6] = Float.MIN_VALUE;
        List<NamedTensor> tensors = List.of(
                new NamedTensor("a.weight", new int[] {2, 3, 4}, flat, 0),
                new NamedTensor("a.bias", new int[] {4}, flat, 24),
                new NamedTensor("scalar", new int[] {}, new float[] {7.5f}),
                new NamedTensor("empty", new int[] {0, 5}, new float[0]),
                new NamedTensor("ünïcode \"name\"", new int[] {12}, flat, 28));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "test");
        meta.put("quote", "a \"b\" \\ c");
        Path file = dir.resolve("t.safetensors");
        SafeTensorsWriter.write(file, tensors, meta);

        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"test\""), header);
        assertTrue(header.contains("\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3,4],\"data_offsets\":[0,96]}"), header);
        assertEquals(8 + n + 4 * (24 + 4 + 1 + 12), bytes.length);
        // The first value, little-endian, right after the header.
        assertEquals(flat[0], ByteBuffer.wrap(bytes, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());

        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> back = new LinkedHashMap<>(f.metadata());
            back.keySet().removeIf(k -> k.startsWith(SafeTensorsFile.CRC_PREFIX));
            assertEquals(meta, back, "the metadata given, and each tensor's CRC-32C");
            assertTrue(f.checksummed());
            assertEquals("00000000", f.metadata().get("crc32c.empty"), "the CRC-32C of no bytes");
            assertEquals(5, f.metadata().size() - meta.size());
            assertEquals(List.of("a.weight", "a.bias", "scalar", "empty", "ünïcode \"name\""),
                    f.entries().stream().map(SafeTensorsFile.Entry::name).toList());
            assertBitsEqual(Arrays.copyOfRange(flat, 0, 24), f.floats("a.weight", 2, 3, 4));
            assertBitsEqual(Arrays.copyOfRange(flat, 24, 28), f.floats("a.bias", 4));
            assertBitsEqual(new float[] {7.5f}, f.floats("scalar"));
            assertEquals(0, f.floats("empty", 0, 5).length);
            assertBitsEqual(Arrays.copyOfRange(flat, 28, 40), f.floats("ünïcode \"name\"", 12));
            float[] into = new float[30];
            f.floatsInto("a.bias", new int[] {4}, into, 26);
            assertBitsEqual(Arrays.copyOfRange(flat, 24, 28), Arrays.copyOfRange(into, 26, 30));
        }
    }

    @Test
    void largeTensorsCrossTheReadAndWriteChunks() throws IOException {
        float[] big = values(1_000_003, 2);
        Path file = dir.resolve("big.safetensors");
        SafeTensorsWriter.write(file, List.of(new NamedTensor("big", new int[] {big.length}, big)), Map.of());
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(Map.of("crc32c.big", f.metadata().get("crc32c.big")), f.metadata(), "a checksum, nothing else");
            assertBitsEqual(big, f.floats("big", big.length));
        }
    }

    @Test
    void wrongRequestsNameTheFileAndTheTensor() throws IOException {
        Path file = dir.resolve("ok.safetensors");
        SafeTensorsWriter.write(file, List.of(new NamedTensor("w", new int[] {2, 3}, values(6, 0))), Map.of());
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertProblem(() -> f.floats("v", 2, 3), file, "missing tensor v");
            assertProblem(() -> f.floats("w", 3, 2), file, "tensor w has shape [2, 3], expected [3, 2]");
        }
        Path f16 = write("f16.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        try (SafeTensorsFile f = SafeTensorsFile.open(f16)) {
            assertProblem(() -> f.floats("h", 2), f16, "tensor h has dtype F16, expected F32");
        }
    }

    @Test
    void damagedFilesAreRejectedWithTheFileAndTheProblem() throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertEquals(2, openEntries(write("good.safetensors", ok, 12)));

        assertProblem(() -> SafeTensorsFile.open(dir.resolve("missing.safetensors")), dir.resolve("missing.safetensors"),
                "no such file");
        assertProblem(() -> SafeTensorsFile.open(dir), dir, "is a directory");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertProblem(() -> SafeTensorsFile.open(tiny), tiny, "only 3 bytes");
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        assertProblem(() -> SafeTensorsFile.open(huge), huge, "header length field is 18446744073709551611");
        Path longer = dir.resolve("longer.safetensors");
        Files.write(longer, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
        assertProblem(() -> SafeTensorsFile.open(longer), longer, "says 100 bytes, but only 8 follow it (truncated)");

        assertBad("notjson", "{\"a\":", 0, "header is not valid JSON");
        assertBad("array", "[1, 2]", 0, "not an object");
        assertBad("metadata", "{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ entry \"k\" is not a string");
        assertBad("dtype", "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                "tensor a: unknown dtype \"F33\"");
        assertBad("shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
                "tensor a: shape holds -2");
        assertBad("extra", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8,
                "tensor a: unexpected header field \"x\"");
        assertBad("size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                "tensor a: data_offsets [0, 8] span 8 bytes, but shape [3] of F32 needs 12");
        assertBad("backwards", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8,
                "end before they begin");
        assertBad("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor b: data_offsets [4, 12] overlap tensor a");
        assertBad("gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                "leaving a gap after byte 0");
        assertBad("truncated", ok, 10, "truncated: the header describes 12 bytes of tensor data, but only 10 follow it");
        assertBad("trailing", ok, 16, "4 unexpected bytes after the last tensor");
        assertBad("duplicate", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0, "duplicate key \"a\"");
    }

    /**
     * Text that is not strict JSON (RFC 8259) never passes as a header, whatever it would mean to a lenient
     * reader; each is named with the character where reading stopped.
     */
    @Test
    void headersThatAreNotStrictJsonAreRejected() throws IOException {
        String entry = "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
        List<String> bad = List.of("{", "{\"a\":" + entry + ",}", "{\"a\" " + entry + "}", "[1 2]",
                "{\"a\":" + entry + "}x", "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,0]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.],\"data_offsets\":[0,0]}}", "{\"unterminated",
                "{'a':" + entry + "}", "{\"a\":tru}", "{\"\\x\":" + entry + "}", "{\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"}}",
                "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}",
                "[".repeat(2000) + "]".repeat(2000));
        for (int i = 0; i < bad.size(); i++) {
            Path file = write("bad-json-" + i + ".safetensors", bad.get(i) + " ", 0);
            BadFileException e = assertThrows(BadFileException.class, () -> SafeTensorsFile.open(file), bad.get(i));
            assertTrue(e.getMessage().contains("header is not valid JSON") && e.getMessage().contains("at character"),
                    bad.get(i) + ": " + e.getMessage());
        }
        assertBad("huge-number", "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,0]}}",
                0, "tensor a: shape holds 99999999999999999999, expected a non-negative integer");
        Path escapes = write("escapes.safetensors", "{\"__metadata__\":{\"k\\u00e9\\n\":\"x\\\"\"},\"a\":" + entry + "}", 0);
        try (SafeTensorsFile f = SafeTensorsFile.open(escapes)) {
            assertEquals(Map.of("k\u00e9\n", "x\""), f.metadata(), "JSON escapes are decoded");
        }
    }

    @Test
    void headerBytesThatAreNotUtf8AreRejected() throws IOException {
        Path file = dir.resolve("latin1.safetensors");
        byte[] header = {'{', '"', (byte) 0xE9, '"', ':', '1', '}', ' '};
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(header);
        Files.write(file, b.array());
        assertProblem(() -> SafeTensorsFile.open(file), file, "not UTF-8");
    }

    private int openEntries(Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.entries().size();
        }
    }

    private void assertBad(String name, String header, int dataBytes, String problem) throws IOException {
        Path file = write(name + ".safetensors", header, dataBytes);
        assertProblem(() -> SafeTensorsFile.open(file), file, problem);
    }

    private Path write(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    interface Action {
        void run() throws IOException;
    }

    static void assertProblem(Action action, Path file, String problem) {
        BadFileException e = assertThrows(BadFileException.class, action::run);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected \"" + problem + "\" in: " + e.getMessage());
    }

    static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail("value " + i + ": " + expected[i] + " != " + actual[i] + " (bit for bit)");
            }
        }
    }
}
