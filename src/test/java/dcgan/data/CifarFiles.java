package dcgan.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CIFAR-10 binary batch files for tests: record k has label k % 10 and pixel p of channel c (k + 3c + p) % 256. */
final class CifarFiles {

    private CifarFiles() {
    }

    static Path write(Path file, int records) throws IOException {
        return write(file, records, 0);
    }

    /** As {@link #write(Path, int)}, the records counted from {@code first} for their labels and pixels. */
    static Path write(Path file, int records, int first) throws IOException {
        byte[] bytes = new byte[records * Cifar10.RECORD];
        for (int r = 0; r < records; r++) {
            int k = first + r;
            bytes[r * Cifar10.RECORD] = (byte) (k % 10);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 1024; p++) {
                    bytes[r * Cifar10.RECORD + 1 + c * 1024 + p] = (byte) (k + 3 * c + p);
                }
            }
        }
        return Files.write(file, bytes);
    }

    /** The pixel byte that {@link #write} gives record {@code k}, channel {@code c}, pixel {@code p}. */
    static int pixel(int k, int c, int p) {
        return (k + 3 * c + p) & 0xff;
    }
}
