import Testing

/// Central finite differences for the gradient checks of the layers (Train, FNO), in Double.
///
/// With step h = 1e-6 the truncation error is O(h²) ≈ 1e-12 and the round-off ≈ 1e-16/h ≈ 1e-10,
/// so a correct backward pass agrees to about 1e-9 relative; the checks allow 1e-6.
public enum FiniteDifferences {
    public static let h = 1e-6
    public static let tolerance = 1e-6

    /// ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h for every i (x is restored).
    public static func numerical(_ x: inout [Double], _ f: ([Double]) -> Double) -> [Double] {
        (0..<x.count).map { i in
            let saved = x[i]
            x[i] = saved + h; let up = f(x)
            x[i] = saved - h; let down = f(x)
            x[i] = saved
            return (up - down) / (2 * h)
        }
    }

    /// Records a test issue unless max |analytic − numeric| / max(1e-3, max |numeric|) < `tolerance`.
    public static func expectClose(_ analytic: [Double], _ numeric: [Double], _ what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(analytic.count == numeric.count, sourceLocation: sourceLocation)
        let scale = max(1e-3, numeric.map(abs).max() ?? 0)
        let worst = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
        #expect(worst / scale < tolerance, "\(what): max error \(worst) at scale \(scale)", sourceLocation: sourceLocation)
    }

    /// Σ a_i·b_i (the loss L = r·y used to turn an output gradient into a scalar).
    public static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
}
