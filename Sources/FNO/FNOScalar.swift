import CLapack
import PDE
import Train

/// How a complex matrix operand enters a product: as is, transposed, or conjugate-transposed.
public enum ComplexOperand: Sendable {
    case plain, transposed, adjoint

    var cblas: CBLAS_TRANSPOSE {
        switch self {
        case .plain: return CblasNoTrans
        case .transposed: return CblasTrans
        case .adjoint: return CblasConjTrans
        }
    }
}

/// The element types of the FNO layers: `Float` for training, `Double` for the gradient checks
/// (the same generic code). Adds FFTW transforms (`FFTScalar`) and complex BLAS products to the
/// trainer's `TrainScalar`.
public protocol FNOScalar: TrainScalar, FFTScalar {
    /// Row-major complex `C = op(A) · op(B) + (accumulate ? C : 0)` (BLAS `?gemm` with α = 1,
    /// β = 0 or 1): `op(A)` is m × k, `op(B)` k × n, C m × n; lda/ldb/ldc are row strides in
    /// complex elements.
    static func complexGemm(_ opA: ComplexOperand, _ opB: ComplexOperand, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Complex<Self>>, lda: Int, b: UnsafePointer<Complex<Self>>, ldb: Int,
                            c: UnsafeMutablePointer<Complex<Self>>, ldc: Int, accumulate: Bool)
}

extension Float: FNOScalar {
    public static func complexGemm(_ opA: ComplexOperand, _ opB: ComplexOperand, m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Complex<Float>>, lda: Int, b: UnsafePointer<Complex<Float>>, ldb: Int,
                                   c: UnsafeMutablePointer<Complex<Float>>, ldc: Int, accumulate: Bool) {
        var one = Complex<Float>(1, 0), beta = Complex<Float>(accumulate ? 1 : 0, 0)
        cblas_cgemm(CblasRowMajor, opA.cblas, opB.cblas, Int32(m), Int32(n), Int32(k), &one, a, Int32(lda), b, Int32(ldb),
                    &beta, c, Int32(ldc))
    }
}

extension Double: FNOScalar {
    public static func complexGemm(_ opA: ComplexOperand, _ opB: ComplexOperand, m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Complex<Double>>, lda: Int, b: UnsafePointer<Complex<Double>>, ldb: Int,
                                   c: UnsafeMutablePointer<Complex<Double>>, ldc: Int, accumulate: Bool) {
        var one = Complex<Double>(1, 0), beta = Complex<Double>(accumulate ? 1 : 0, 0)
        cblas_zgemm(CblasRowMajor, opA.cblas, opB.cblas, Int32(m), Int32(n), Int32(k), &one, a, Int32(lda), b, Int32(ldb),
                    &beta, c, Int32(ldc))
    }
}
