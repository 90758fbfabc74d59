package dcgan.backend.cpu;

/**
 * Every test of {@link CpuLinearTest} again, with the linear layer's gradients computed in the form (plain or
 * transposed products) that this machine's GEMM does not choose: the form other machines use.
 */
class CpuLinearOtherFormTest extends CpuLinearTest {

    @Override
    boolean otherForm() {
        return true;
    }
}
