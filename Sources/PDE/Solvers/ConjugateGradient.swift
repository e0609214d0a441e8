/// The outcome of a converged linear solve.
public struct LinearSolveReport: Sendable, Equatable {
    /// Conjugate-gradient iterations taken.
    public let iterations: Int
    /// Final relative residual `‖b − A x‖₂ / ‖b‖₂`.
    public let relativeResidual: Double
}

extension FivePointSystem {
    /// Solves `A x = b` by conjugate gradients preconditioned with the zero-fill incomplete
    /// Cholesky factorisation (Meijerink & van der Vorst 1977), from `x = 0`, until
    /// `‖r‖₂ ≤ tolerance · ‖b‖₂` (the residual is recomputed as `b − A x` at the end to report it).
    /// IC(0) needs `O(m)` iterations on an `m × m` grid, independently of the coefficient contrast
    /// for piecewise-constant coefficients in practice.
    ///
    /// - Throws: `PDEError.notConverged` after `maxIterations`.
    func solveCG(_ b: [Double], tolerance: Double, maxIterations: Int) throws -> (x: [Double], report: LinearSolveReport) {
        let count = m * m
        var x = [Double](repeating: 0, count: count)
        let bnorm = dotProduct(b, b).squareRoot()
        if bnorm == 0 { return (x, LinearSolveReport(iterations: 0, relativeResidual: 0)) }
        let pivots = incompleteCholeskyPivots()
        var r = b
        var z = [Double](repeating: 0, count: count)
        var q = [Double](repeating: 0, count: count)
        pivots.withUnsafeBufferPointer { pv in r.withUnsafeBufferPointer { rp in z.withUnsafeMutableBufferPointer { applyPreconditioner(rp.baseAddress!, $0.baseAddress!, pivots: pv.baseAddress!) } } }
        var p = z
        var rz = dotProduct(r, z)
        var iterations = 0
        while dotProduct(r, r).squareRoot() > tolerance * bnorm {
            guard iterations < maxIterations else {
                throw PDEError.notConverged(solver: "IC(0)-preconditioned CG", iterations: iterations,
                                            residual: dotProduct(r, r).squareRoot() / bnorm)
            }
            p.withUnsafeBufferPointer { pp in q.withUnsafeMutableBufferPointer { apply(pp.baseAddress!, $0.baseAddress!) } }
            let alpha = rz / dotProduct(p, q)
            for k in 0..<count {
                x[k] += alpha * p[k]
                r[k] -= alpha * q[k]
            }
            pivots.withUnsafeBufferPointer { pv in r.withUnsafeBufferPointer { rp in z.withUnsafeMutableBufferPointer { applyPreconditioner(rp.baseAddress!, $0.baseAddress!, pivots: pv.baseAddress!) } } }
            let rzNew = dotProduct(r, z)
            let beta = rzNew / rz
            rz = rzNew
            for k in 0..<count { p[k] = z[k] + beta * p[k] }
            iterations += 1
        }
        x.withUnsafeBufferPointer { xp in q.withUnsafeMutableBufferPointer { apply(xp.baseAddress!, $0.baseAddress!) } }
        var rr = 0.0
        for k in 0..<count { let d = b[k] - q[k]; rr += d * d }
        return (x, LinearSolveReport(iterations: iterations, relativeResidual: rr.squareRoot() / bnorm))
    }
}

@inline(__always) func dotProduct(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for k in a.indices { s += a[k] * b[k] }
    return s
}
