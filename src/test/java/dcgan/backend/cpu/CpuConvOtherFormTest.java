package dcgan.backend.cpu;

/**
 * Every test of {@link CpuConvTest} again, with the convolution's gradients computed in the form (plain or
 * transposed products) that this machine's GEMM does not choose: the form other machines use.
 */
class CpuConvOtherFormTest extends CpuConvTest {

    @Override
    boolean otherForm() {
        return true;
    }
}
