import Random
import Settings

/// 2-D Darcy flow data in the layout of PDEBench's `2D_DarcyFlow_*.hdf5` files: `nu` (the
/// coefficient `a`, shape `(samples, R, R)`), `tensor` (the solution `u`, shape
/// `(samples, 1, R, R)`), and `x-coordinate` / `y-coordinate` (cell centres `(i+½)/R`).
///
/// The coefficient follows the FNO paper (Li et al. 2021, §5.2): a Gaussian random field
/// `ψ ~ N(0, (−Δ + 9I)^{−2})` with zero-Neumann Laplacian (`α = 2, τ = 3`) drawn at the cell
/// centres, thresholded to `a = 12` where `ψ ≥ 0` and `a = 3` where `ψ < 0`; the source is
/// `f = 1` and `u = 0` on the boundary. The piecewise-constant `a` (one value per cell) is
/// solved on a grid refined `refinement` times (each cell split into `r × r` sub-cells with its
/// value), and `u` is the mean over each cell's sub-cells — the cell-centre value up to `O(h²)`.
public struct DarcyGenerator: PDEDataGenerator {
    public let resolution: Int
    public let refinement: Int
    public let high: Double
    public let low: Double
    public let source: Double
    public let field: GaussianRandomField.Neumann2D

    /// - Throws: `InvalidSetting` unless `R` and `refinement` are within `DataGeneratorLimits`
    ///   (resolution × refinement at most its 2-D solver limit), `PDEError.invalidParameter` unless the
    ///   coefficient values are positive.
    /// The refinement used unless told otherwise (u averaged from a grid twice as fine).
    public static let defaultRefinement = 2

    public init(resolution: Int, refinement: Int = defaultRefinement, high: Double = 12, low: Double = 3, source: Double = 1,
                alpha: Double = 2, tau: Double = 3) throws {
        try DataGeneratorLimits.resolution2D.check(resolution, "resolution")
        try DataGeneratorLimits.refinement.check(refinement, "refinement")
        _ = try SettingProduct.check([resolution, refinement], "refinement", value: refinement, limit: DataGeneratorLimits.solverResolution2D.upper,
                                     what: "solver cells per side, resolution × refinement", related: ["resolution"])
        try PDEError.require(high > 0 && low > 0 && high.isFinite && low.isFinite, "coefficient values", "\(high), \(low)", "must be positive")
        try PDEError.require(source.isFinite, "source", source, "must be finite")
        self.resolution = resolution
        self.refinement = refinement
        self.high = high
        self.low = low
        self.source = source
        field = GaussianRandomField.Neumann2D(n: resolution, alpha: alpha, tau: tau)
    }

    public var equation: String { "darcy" }
    public var fields: [DataField] {
        [DataField(name: "nu", sampleShape: [resolution, resolution]), DataField(name: "tensor", sampleShape: [1, resolution, resolution])]
    }
    public var coordinates: [DataCoordinate] {
        let centres = arithmeticSequence(resolution, start: 0.5 / Double(resolution), step: 1 / Double(resolution))
        return [DataCoordinate(name: "x-coordinate", values: centres), DataCoordinate(name: "y-coordinate", values: centres)]
    }
    public var parameters: [String: String] {
        ["equation": "-div(a grad u) = f on (0,1)^2, u = 0 on the boundary", "resolution": "\(resolution)",
         "refinement": "\(refinement)", "a_where_grf_nonnegative": parameterString(high), "a_where_grf_negative": parameterString(low),
         "source": parameterString(source), "grf_alpha": parameterString(field.alpha), "grf_tau": parameterString(field.tau),
         "scheme": "cell-centred finite volumes, harmonic face means, IC(0)-preconditioned CG (relative residual 1e-10)"]
    }

    /// The thresholded coefficient for one random field sample.
    public func coefficient(using rng: inout SplitMix64) throws -> [Double] {
        try field.sample(using: &rng).map { $0 >= 0 ? high : low }
    }

    /// `u` for a cell coefficient `a` (`R²` values), solved on the refined grid.
    public func solve(coefficient a: [Double]) throws -> [Double] {
        let n = resolution, r = refinement, fine = n * r
        var refined = [Double](repeating: 0, count: fine * fine)
        for i in 0..<fine { for j in 0..<fine { refined[i * fine + j] = a[(i / r) * n + j / r] } }
        let u = try DarcySolver(n: fine).solve(coefficient: refined, source: source).u
        var coarse = [Double](repeating: 0, count: n * n)
        for i in 0..<fine { for j in 0..<fine { coarse[(i / r) * n + j / r] += u[i * fine + j] } }
        let scale = 1 / Double(r * r)
        return coarse.map { $0 * scale }
    }

    public func sample(using rng: inout SplitMix64) throws -> [[Float]] {
        let a = try coefficient(using: &rng)
        let u = try solve(coefficient: a)
        return [a.map { Float($0) }, u.map { Float($0) }]
    }
}
