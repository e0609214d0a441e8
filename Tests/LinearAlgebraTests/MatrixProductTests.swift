import ComplexNumbers
import Testing
@testable import LinearAlgebra

/// The typed BLAS products against plain loops: every transpose combination, row strides wider
/// than the matrices, β = 0 ignoring NaN in C, and complex accumulation.
@Suite struct MatrixProductTests {
    /// Deterministic small values (exact in Float, so the two precisions agree exactly).
    static func values(_ n: Int, _ salt: Int) -> [Double] { (0..<n).map { Double(($0 * 7 + salt * 3) % 11 - 5) / 4 } }

    /// `op(X)[i, j]` of a row-major matrix with row stride `ld`.
    static func element(_ x: [Double], _ ld: Int, _ trans: Bool, _ i: Int, _ j: Int) -> Double {
        trans ? x[j * ld + i] : x[i * ld + j]
    }

    func check<T: BLASScalar>(_: T.Type) {
        let m = 3, n = 4, k = 5
        for transA in [false, true] {
            for transB in [false, true] {
                // Stored shapes with one padding column each.
                let (ra, ca) = transA ? (k, m) : (m, k), (rb, cb) = transB ? (n, k) : (k, n)
                let lda = ca + 1, ldb = cb + 1, ldc = n + 1
                let a = Self.values(ra * lda, 1), b = Self.values(rb * ldb, 2), c0 = Self.values(m * ldc, 3)
                var c = c0.map { T($0) }
                let ta = a.map { T($0) }, tb = b.map { T($0) }
                T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: ta, lda: lda, b: tb, ldb: ldb,
                       beta: 0.5, c: &c, ldc: ldc)
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k { s += Self.element(a, lda, transA, i, p) * Self.element(b, ldb, transB, p, j) }
                        #expect(Double(c[i * ldc + j]) == 2 * s + 0.5 * c0[i * ldc + j], "\(T.self) \(transA) \(transB) [\(i), \(j)]")
                    }
                    #expect(Double(c[i * ldc + n]) == c0[i * ldc + n])   // the padding is untouched
                }
            }
        }
        var nan = [T](repeating: .nan, count: 4)
        T.gemm(transA: false, transB: false, m: 2, n: 2, k: 1, alpha: 1, a: [1, 2], lda: 1, b: [3, 4], ldb: 2, beta: 0, c: &nan, ldc: 2)
        #expect(nan == [3, 4, 6, 8])
    }

    @Test func realProducts() {
        check(Float.self)
        check(Double.self)
    }

    func checkComplex<T: BLASScalar>(_: T.Type) {
        let m = 2, n = 3, k = 2
        func z(_ n: Int, _ salt: Int) -> [Complex<T>] {
            let v = Self.values(2 * n, salt).map { T($0) }
            return (0..<n).map { Complex(v[2 * $0], v[2 * $0 + 1]) }
        }
        func op(_ x: [Complex<T>], _ ld: Int, _ o: ComplexOperand, _ i: Int, _ j: Int) -> Complex<T> {
            switch o {
            case .plain: return x[i * ld + j]
            case .transposed: return x[j * ld + i]
            case .adjoint: return x[j * ld + i].conjugate
            }
        }
        for opA in [ComplexOperand.plain, .transposed, .adjoint] {
            for opB in [ComplexOperand.plain, .transposed, .adjoint] {
                let lda = opA == .plain ? k : m, ldb = opB == .plain ? n : k
                let a = z(m * k, 4), b = z(k * n, 5), c0 = z(m * n, 6)
                for accumulate in [false, true] {
                    var c = c0
                    T.complexGemm(opA, opB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: n, accumulate: accumulate)
                    for i in 0..<m {
                        for j in 0..<n {
                            var s = accumulate ? c0[i * n + j] : .zero
                            for p in 0..<k { s += op(a, lda, opA, i, p) * op(b, ldb, opB, p, j) }
                            #expect(c[i * n + j] == s, "\(T.self) \(opA) \(opB) \(accumulate) [\(i), \(j)]")
                        }
                    }
                }
            }
        }
    }

    @Test func complexProducts() {
        checkComplex(Float.self)
        checkComplex(Double.self)
    }
}
