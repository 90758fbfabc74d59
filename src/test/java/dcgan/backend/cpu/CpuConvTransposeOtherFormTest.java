package dcgan.backend.cpu;

/**
 * Every test of {@link CpuConvTransposeTest} again, with the transposed convolution's gradients computed in the form (plain or
 * transposed products) that this machine's GEMM does not choose: the form other machines use.
 */
class CpuConvTransposeOtherFormTest extends CpuConvTransposeTest {

    @Override
    boolean otherForm() {
        return true;
    }
}
