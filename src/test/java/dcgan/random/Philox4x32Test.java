package dcgan.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class Philox4x32Test {
    /** Row format of Random123's kat_vectors: counter[4], key[2], expected[4]. */
    private static void check(int[] row) {
        int[] out = new int[4];
        Philox4x32.block(row[0], row[1], row[2], row[3], row[4], row[5], out);
        int[] expected = {row[6], row[7], row[8], row[9]};
        assertArrayEquals(expected, out, () -> String.format("counter %08x %08x %08x %08x key %08x %08x",
                row[0], row[1], row[2], row[3], row[4], row[5]));
    }

    // Random123 examples/kat_vectors, "philox4x32 10" rows.
    @Test
    void zeros() {
        check(new int[] {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
    }

    @Test
    void allOnes() {
        check(new int[] {-1, -1, -1, -1, -1, -1, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
    }

    @Test
    void piDigits() {
        check(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
            0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    // Further philox4x32-10 rows from the Random123 manual's kat_vectors (single-bit counters and
    // keys), which exercise each word position separately.
    @Test
    void singleBitRows() {
        check(new int[] {1, 0, 0, 0, 1, 0, 0xac08141b, 0xdfc5ccbe, 0x79c07a47, 0xa7f66093});
        check(new int[] {0, 1, 0, 0, 1, 0, 0x833ff8dc, 0x225c963c, 0x232b88b3, 0x0b334b07});
        check(new int[] {0, 0, 1, 0, 1, 0, 0x07071c12, 0x428264b6, 0x3909104b, 0x6da2bda2});
        check(new int[] {0, 0, 0, 1, 1, 0, 0x127bee41, 0x1e047488, 0x48842b20, 0x0a393496});
        check(new int[] {0, 0, 0, 0x80000000, 0, 1, 0x0436a39b, 0x31be9efa, 0x6abd0c76, 0xe7a68f83});
        check(new int[] {0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89, 0, 0xffffffff,
            0x9fcce05d, 0x837d3f3c, 0x5cdf3e61, 0xdb2544c0});
        check(new int[] {0x452821e6, 0x38d01377, 0xbe5466cf, 0x34e90c6c, 0, 0x80000000,
            0x94ca5566, 0x14924b2f, 0x28214292, 0x59faeaee});
    }
}
