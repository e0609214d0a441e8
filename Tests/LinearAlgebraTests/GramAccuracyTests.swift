import Testing
@testable import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// A deterministic ill-conditioned matrix U·diag(s)·Vᵀ-like: Gaussian-ish entries with columns
/// scaled geometrically, so singular values span many decades.
func illConditioned(rows: Int, cols: Int, decades: Double) -> [Double] {
    var state: UInt64 = 0x1234_5678
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    var w = [Double](repeating: 0, count: rows * cols)
    for j in 0..<cols {
        let scale = pow(10, -decades * Double(j) / Double(max(1, cols - 1)))
        for i in 0..<rows { w[i * cols + j] = (uniform() - 0.5) * scale }
    }
    return w
}

@Suite struct GramAccuracyTests {
    init() { BLASThreads.set(1) }

    /// The requirement, against an SVD reference: relative error ≤ 1e-12 on every
    /// eigenvalue ≥ 1e-3·λmax and ≤ 1e-9 on every eigenvalue ≥ 1e-6·λmax — with each solver.
    @Test(arguments: [(300, 120), (120, 300), (257, 257), (1400, 700)], SymmetricEigen.Solver.allCases)
    func gramMeetsTheAccuracyRequirement(shape: (Int, Int), solver: SymmetricEigen.Solver) throws {
        let (rows, cols) = shape
        let w = illConditioned(rows: rows, cols: cols, decades: 5)
        let eig = try SymmetricEigen.gramEigenvalues(w, rows: rows, cols: cols, solver: solver)
        let sv = try SingularValues.values(w, rows: rows, cols: cols)
        let reference = sv.map { $0 * $0 }.sorted()
        #expect(eig.count == min(rows, cols))
        let top = reference.last!
        var checked1 = 0, checked2 = 0
        #expect(eig.count == reference.count)
        for (x, y) in zip(eig, reference) {
            let r = abs(x - y) / y
            if y >= 1e-3 * top { #expect(r <= 1e-12, "λ = \(y)"); checked1 += 1 }
            if y >= 1e-6 * top { #expect(r <= 1e-9, "λ = \(y)"); checked2 += 1 }
        }
        #expect(checked1 > 10 && checked2 > checked1)
    }

    /// The default solver follows the order: dsyevd below the crossover, dsyevd_2stage from it.
    @Test func solverFollowsTheOrder() {
        let n = SymmetricEigen.twoStageFromOrder
        #expect(SymmetricEigen.Solver.preferred(forOrder: n - 1) == .dsyevd)
        #expect(SymmetricEigen.Solver.preferred(forOrder: n) == .dsyevd2stage)
    }

    /// Both solvers agree on a symmetric matrix with known eigenvalues (a diagonal one rotated).
    @Test(arguments: SymmetricEigen.Solver.allCases)
    func knownEigenvalues(solver: SymmetricEigen.Solver) throws {
        // The second-difference matrix tridiag(-1, 2, -1) of order n: λ_k = 2 − 2cos(kπ/(n+1)).
        let n = 90
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            a[i * n + i] = 2
            if i + 1 < n { a[i * n + i + 1] = -1; a[(i + 1) * n + i] = -1 }
        }
        let values = try SymmetricEigen.eigenvalues(symmetric: &a, n: n, solver: solver)
        for (k, v) in values.enumerated() {
            #expect(abs(v - (2 - 2 * cos(Double(k + 1) * .pi / Double(n + 1)))) < 1e-13)
        }
    }

    @Test func emptyAndTinyMatrices() throws {
        #expect(try SymmetricEigen.gramEigenvalues([], rows: 0, cols: 5) == [])
        let one = try SymmetricEigen.gramEigenvalues([3, 4], rows: 1, cols: 2)
        #expect(one.count == 1 && abs(one[0] - 25) < 1e-14)
    }

    @Test func lapackErrorKeepsInfo() {
        let e = LinearAlgebraError(routine: "dsyevd", info: 3)
        #expect(e.info == 3 && e.description.contains("dsyevd") && e.description.contains("3"))
        #expect(LinearAlgebraError(routine: "dgesdd", info: -4).description.contains("argument 4"))
    }
}
