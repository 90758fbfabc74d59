package dcgan.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Frechet distance between two sets of feature vectors, each summarised by its mean and covariance as
 * a Gaussian: {@code |m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))}. It is 0 for identical
 * statistics and grows with any difference of mean or spread. The trace of the matrix square root is taken
 * as {@code sum sqrt(eig(S1^(1/2) S2 S1^(1/2)))}, which has the same eigenvalues as {@code S1 S2} but is
 * symmetric, so a symmetric eigendecomposition (EJML's) serves.
 */
public final class FrechetDistance {

    private FrechetDistance() {
    }

    /** A set of vectors as mean and (unbiased) covariance, in double precision. */
    public record Statistics(int count, double[] mean, DMatrixRMaj covariance) {

        /** Of {@code n} vectors of {@code d} values each, vector i at {@code features[i * d]}. */
        public static Statistics of(float[] features, int n, int d) {
            if (n < 2) {
                throw new IllegalArgumentException("a covariance needs at least 2 vectors, got " + n);
            }
            double[] mean = new double[d];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    mean[k] += features[i * d + k];
                }
            }
            for (int k = 0; k < d; k++) {
                mean[k] /= n;
            }
            DMatrixRMaj centred = new DMatrixRMaj(n, d);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    centred.unsafe_set(i, k, features[i * d + k] - mean[k]);
                }
            }
            DMatrixRMaj cov = new DMatrixRMaj(d, d);
            CommonOps_DDRM.multTransA(centred, centred, cov);
            CommonOps_DDRM.scale(1.0 / (n - 1), cov);
            return new Statistics(n, mean, cov);
        }
    }

    /** The distance between the Gaussians of two sets of vectors of the same dimension. */
    public static double between(Statistics a, Statistics b) {
        int d = a.mean().length;
        if (b.mean().length != d) {
            throw new IllegalArgumentException("features of " + d + " and " + b.mean().length + " dimensions");
        }
        double meanTerm = 0;
        for (int k = 0; k < d; k++) {
            double diff = a.mean()[k] - b.mean()[k];
            meanTerm += diff * diff;
        }
        DMatrixRMaj rootA = symmetricSqrt(a.covariance());
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj product = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(rootA, b.covariance(), tmp);
        CommonOps_DDRM.mult(tmp, rootA, product);
        symmetrise(product);
        double traceRoot = 0;
        for (double lambda : eigenvalues(product)) {
            traceRoot += Math.sqrt(Math.max(lambda, 0)); // round-off can make a zero eigenvalue slightly negative
        }
        double fd = meanTerm + CommonOps_DDRM.trace(a.covariance()) + CommonOps_DDRM.trace(b.covariance()) - 2 * traceRoot;
        return Math.max(fd, 0);
    }

    /** The symmetric positive semi-definite square root of a covariance: V diag(sqrt(lambda)) V^T. */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        int d = s.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(s, true);
        DMatrixRMaj root = new DMatrixRMaj(d, d);
        for (int i = 0; i < d; i++) {
            double lambda = Math.sqrt(Math.max(eig.getEigenvalue(i).getReal(), 0));
            DMatrixRMaj v = eig.getEigenVector(i);
            for (int r = 0; r < d; r++) {
                for (int c = 0; c < d; c++) {
                    root.add(r, c, lambda * v.get(r) * v.get(c));
                }
            }
        }
        return root;
    }

    private static double[] eigenvalues(DMatrixRMaj s) {
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(s, false);
        double[] values = new double[s.numRows];
        for (int i = 0; i < values.length; i++) {
            values[i] = eig.getEigenvalue(i).getReal();
        }
        return values;
    }

    private static EigenDecomposition_F64<DMatrixRMaj> decompose(DMatrixRMaj s, boolean vectors) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(s.numRows, vectors, true);
        if (!eig.decompose(s.copy())) {
            throw new IllegalStateException("the eigendecomposition of a " + s.numRows + "x" + s.numRows
                                            + " covariance did not converge");
        }
        return eig;
    }

    private static void symmetrise(DMatrixRMaj m) {
        for (int r = 0; r < m.numRows; r++) {
            for (int c = r + 1; c < m.numCols; c++) {
                double avg = (m.get(r, c) + m.get(c, r)) / 2;
                m.set(r, c, avg);
                m.set(c, r, avg);
            }
        }
    }
}
