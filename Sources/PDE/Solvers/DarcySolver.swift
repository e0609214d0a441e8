/// Steady Darcy flow `−∇·(a ∇u) = f` on the unit square with `u = 0` on the boundary, by a
/// finite-volume five-point scheme and an IC(0)-preconditioned conjugate-gradient solve.
///
/// Face coefficients are harmonic means of the two values beside the face, `2 a_P a_Q/(a_P + a_Q)`,
/// which keeps the flux continuous across jumps of a piecewise-constant `a` (exact for layered
/// media); for smooth `a` and `u` the scheme converges at order 2 (measured in the tests).
public struct DarcySolver: Sendable {
    /// Where the unknowns live.
    public enum Grid: String, Sendable, Codable {
        /// `n × n` cells of side `h = 1/n`; `a`, `f` and `u` at the centres `((i+½)h, (j+½)h)`.
        /// The Dirichlet condition acts on the boundary faces, half a cell from the centres:
        /// transmissibility `2 a_P`. PDEBench's Darcy files use this grid. Cells are row-major
        /// `[i][j]`, `x` along `i`.
        case cellCentered
        /// `(n+1) × (n+1)` nodes `(i h, j h)`, `i, j = 0 … n`, including the boundary (where
        /// `u = 0`); `a`, `f` and `u` at the nodes, faces halfway between nodes. The FNO Darcy
        /// generator (`solve_gwf.m`) uses this grid.
        case vertexCentered
    }

    public let n: Int
    public let grid: Grid
    public let tolerance: Double

    /// Values per field: `n²` (cells) or `(n+1)²` (nodes).
    public var pointCount: Int { grid == .cellCentered ? n * n : (n + 1) * (n + 1) }

    /// - Throws: `PDEError.invalidParameter` unless `n ≥ 2` and `0 < tolerance < 1`.
    public init(n: Int, grid: Grid = .cellCentered, tolerance: Double = 1e-10) throws {
        try PDEError.require(n >= 2, "grid size", n, "must be ≥ 2")
        try PDEError.require(tolerance > 0 && tolerance < 1, "tolerance", tolerance, "must be in (0, 1)")
        self.n = n
        self.grid = grid
        self.tolerance = tolerance
    }

    /// The solution `u` (`pointCount` values, row-major) and the linear solver's report.
    public struct Solution: Sendable {
        public let u: [Double]
        public let report: LinearSolveReport
    }

    /// Solves with a constant source `f`.
    public func solve(coefficient a: [Double], source f: Double = 1) throws -> Solution {
        try solve(coefficient: a, source: [Double](repeating: f, count: pointCount))
    }

    /// - Parameters:
    ///   - a: `pointCount` positive, finite coefficient values.
    ///   - f: `pointCount` finite source values.
    /// - Throws: `PDEError.invalidParameter` for wrong sizes or values; `.notConverged` if CG
    ///   does not reach `tolerance` within `20 n + 200` iterations.
    public func solve(coefficient a: [Double], source f: [Double]) throws -> Solution {
        try PDEError.require(a.count == pointCount, "coefficient length", a.count, "must be \(pointCount) for a \(grid.rawValue) grid of size \(n)")
        try PDEError.require(f.count == pointCount, "source length", f.count, "must be \(pointCount)")
        try PDEError.require(a.allSatisfy { $0 > 0 && $0.isFinite }, "coefficient", "values", "must be positive and finite")
        try PDEError.require(f.allSatisfy(\.isFinite), "source", "values", "must be finite")
        let h2 = 1 / Double(n * n)
        func harmonic(_ p: Double, _ q: Double) -> Double { 2 * p * q / (p + q) }
        switch grid {
        case .cellCentered:
            let m = n
            var tx = [Double](repeating: 0, count: (m + 1) * m), ty = [Double](repeating: 0, count: m * (m + 1))
            for i in 0...m {
                for j in 0..<m {
                    tx[i * m + j] = i == 0 ? 2 * a[j] : i == m ? 2 * a[(m - 1) * m + j] : harmonic(a[(i - 1) * m + j], a[i * m + j])
                }
            }
            for i in 0..<m {
                for j in 0...m {
                    ty[i * (m + 1) + j] = j == 0 ? 2 * a[i * m] : j == m ? 2 * a[i * m + m - 1] : harmonic(a[i * m + j - 1], a[i * m + j])
                }
            }
            let system = FivePointSystem(m: m, tx: tx, ty: ty)
            let (u, report) = try system.solveCG(f.map { $0 * h2 }, tolerance: tolerance, maxIterations: 20 * n + 200)
            return Solution(u: u, report: report)
        case .vertexCentered:
            // Interior nodes 1 … n−1 in both directions; node (i, j) has value index i·(n+1) + j.
            let m = n - 1, w = n + 1
            var tx = [Double](repeating: 0, count: (m + 1) * m), ty = [Double](repeating: 0, count: m * (m + 1))
            for i in 0...m { for j in 0..<m { tx[i * m + j] = harmonic(a[i * w + j + 1], a[(i + 1) * w + j + 1]) } }
            for i in 0..<m { for j in 0...m { ty[i * (m + 1) + j] = harmonic(a[(i + 1) * w + j], a[(i + 1) * w + j + 1]) } }
            var b = [Double](repeating: 0, count: m * m)
            for i in 0..<m { for j in 0..<m { b[i * m + j] = f[(i + 1) * w + j + 1] * h2 } }
            let system = FivePointSystem(m: m, tx: tx, ty: ty)
            let (interior, report) = try system.solveCG(b, tolerance: tolerance, maxIterations: 20 * n + 200)
            var u = [Double](repeating: 0, count: w * w)
            for i in 0..<m { for j in 0..<m { u[(i + 1) * w + j + 1] = interior[i * m + j] } }
            return Solution(u: u, report: report)
        }
    }
}
