internal import CLapack
import ComplexNumbers

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

@inline(__always)
private func cblasTrans(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

/// The scalar types of the BLAS matrix products (`Float`: `sgemm`/`cgemm`, `Double`:
/// `dgemm`/`zgemm`), so that generic layers (the trainers' `Float` path and their `Double`
/// gradient checks) call one typed API and no module but LinearAlgebra reaches CBLAS.
///
/// All matrices are row-major with a row stride (`lda`, `ldb`, `ldc`, in elements) of at least
/// their column count; dimensions are element counts, below 2³¹ (BLAS takes 32-bit integers).
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// `C = alpha · op(A) · op(B) + beta · C` (BLAS `?gemm`): `op(A)` is m × k (A itself, or
    /// its transpose when `transA`), `op(B)` is k × n, C is m × n. With `beta = 0`, C is only
    /// written (its old values, even NaN, are ignored).
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Complex `C = op(A) · op(B) + (accumulate ? C : 0)` (BLAS `cgemm`/`zgemm` with α = 1,
    /// β = 1 or 0): `op(A)` is m × k, `op(B)` is k × n, C is m × n, strides in complex elements.
    static func complexGemm(_ opA: ComplexOperand, _ opB: ComplexOperand, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Complex<Self>>, lda: Int, b: UnsafePointer<Complex<Self>>, ldb: Int,
                            c: UnsafeMutablePointer<Complex<Self>>, ldc: Int, accumulate: Bool)
}

extension Float: BLASScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, cblasTrans(transA), cblasTrans(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func complexGemm(_ opA: ComplexOperand, _ opB: ComplexOperand, m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Complex<Float>>, lda: Int, b: UnsafePointer<Complex<Float>>, ldb: Int,
                                   c: UnsafeMutablePointer<Complex<Float>>, ldc: Int, accumulate: Bool) {
        var one = Complex<Float>(1, 0), beta = Complex<Float>(accumulate ? 1 : 0, 0)
        cblas_cgemm(CblasRowMajor, opA.cblas, opB.cblas, Int32(m), Int32(n), Int32(k), &one, a, Int32(lda), b, Int32(ldb),
                    &beta, c, Int32(ldc))
    }
}

extension Double: BLASScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, cblasTrans(transA), cblasTrans(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func complexGemm(_ opA: ComplexOperand, _ opB: ComplexOperand, m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Complex<Double>>, lda: Int, b: UnsafePointer<Complex<Double>>, ldb: Int,
                                   c: UnsafeMutablePointer<Complex<Double>>, ldc: Int, accumulate: Bool) {
        var one = Complex<Double>(1, 0), beta = Complex<Double>(accumulate ? 1 : 0, 0)
        cblas_zgemm(CblasRowMajor, opA.cblas, opB.cblas, Int32(m), Int32(n), Int32(k), &one, a, Int32(lda), b, Int32(ldb),
                    &beta, c, Int32(ldc))
    }
}
