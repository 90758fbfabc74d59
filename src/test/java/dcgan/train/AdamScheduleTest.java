package dcgan.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamScheduleTest {

    @Test
    void stepSizesFollowTensorFlowsBiasCorrection() {
        AdamSchedule d = new AdamSchedule(2e-4f, 0.5f, 0.999f);
        // The constants are float32, as in TensorFlow: 0.999f = 0.99900001287, 2e-4f = 1.99999995e-4.
        // t = 1: 2e-4 * sqrt(1 - 0.99900001287) / (1 - 0.5) = 2e-4 * 0.0316225730 / 0.5 = 1.2649029e-5
        assertEquals(1.2649029e-5f, d.nextStepSize(), 1e-12f);
        // t = 2: 1 - 0.99900001287^2 = 0.0019989743; 2e-4 * sqrt(0.0019989743) / 0.75 = 1.1922637e-5
        assertEquals(1.1922637e-5f, d.nextStepSize(), 1e-12f);
        assertEquals(2, d.step());
        // Far along, both corrections vanish and lr_t tends to lr.
        assertEquals(2e-4f, AdamSchedule.stepSize(2e-4f, 0.5f, 0.999f, 100_000), 1e-9f);
    }

    @Test
    void generatorUsesFiveTimesTheLearningRate() {
        Hyperparameters hp = Hyperparameters.notebook();
        assertEquals(1e-3f, hp.generatorLr(), 1e-9f);
        assertEquals(256, hp.batchSize());
        assertEquals(0.5f, hp.beta1());
        assertEquals(0.999f, hp.beta2());
        assertEquals(1e-8f, hp.epsilon());
    }
}
