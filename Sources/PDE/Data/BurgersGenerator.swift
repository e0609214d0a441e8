import Random
import Settings

/// 1-D viscous Burgers data in the PDEBench layout: `tensor` of shape `(samples, frames, R)`,
/// `x-coordinate` (`j/R`), `t-coordinate` (the frame times, `0 … finalTime`).
///
/// Each sample starts from a periodic Gaussian random field (FNO `GRF1`: `γ = 2.5, τ = 7,
/// σ = 49` by default) drawn on the solver grid of `solverResolution` points and is solved
/// with `BurgersSolver`; frames are the solver grid's values at every `solverResolution / R`-th
/// point (exact point values, no filtering).
public struct BurgersGenerator: PDEDataGenerator {
    public let resolution: Int
    public let frames: Int
    public let finalTime: Double
    public let viscosity: Double
    public let solverResolution: Int
    public let field: GaussianRandomField.Periodic1D

    /// The smallest `resolution · 2^k` with at least `2 · resolution` and `2/ν` points (capped at
    /// 16,384). With `n ≥ 2R` the 2/3 dealiasing keeps every frequency the output grid can show
    /// (`R/2 < 2n/3`), so frame 0 is the initial field as drawn; `n ≥ 2/ν` resolves the viscous
    /// fronts of these fields (measured against n = 8192 over t ∈ [0, 1]: worst-frame relative
    /// L2 error ≈ 1e-4 for ν = 0.01, 2e-6 for ν = 0.001; docs/pde.md).
    public static func defaultSolverResolution(resolution: Int, viscosity: Double) -> Int {
        var n = resolution
        while (n < 2 * resolution || Double(n) < 2 / viscosity) && n < 16_384 { n *= 2 }
        return n
    }

    /// - Throws: `InvalidSetting` unless `R` is even and every value is within
    ///   `DataGeneratorLimits` (ν > 0), and `solverResolution` is a multiple of `R`.
    /// The final time unless told otherwise (PDEBench's Burgers data run to t = 2; the FNO's to 1).
    public static let defaultFinalTime = 1.0

    public init(resolution: Int, frames: Int, finalTime: Double = defaultFinalTime, viscosity: Double,
                solverResolution: Int? = nil, gamma: Double = 2.5, tau: Double = 7, sigma: Double = 49) throws {
        try DataGeneratorLimits.resolution1D.check(resolution, "resolution")
        try InvalidSetting.require(resolution % 2 == 0, "resolution", resolution, "even")
        try DataGeneratorLimits.frames.check(frames, "frames")
        try DataGeneratorLimits.time.check(finalTime, "final_time")
        try DataGeneratorLimits.burgersViscosity.check(viscosity, "viscosity")
        let n = solverResolution ?? Self.defaultSolverResolution(resolution: resolution, viscosity: viscosity)
        try DataGeneratorLimits.solverResolution1D.check(n, "solver_resolution")
        try InvalidSetting.require(n >= resolution && n % resolution == 0, "solver_resolution", n,
                                   "a multiple of the resolution (\(resolution))", related: ["resolution"])
        self.resolution = resolution
        self.frames = frames
        self.finalTime = finalTime
        self.viscosity = viscosity
        self.solverResolution = n
        self.field = GaussianRandomField.Periodic1D(n: n, gamma: gamma, tau: tau, sigma: sigma)
        _ = try BurgersSolver(n: n, viscosity: viscosity)
    }

    public var equation: String { "burgers" }
    public var fields: [DataField] { [DataField(name: "tensor", sampleShape: [frames, resolution])] }
    public var times: [Double] { arithmeticSequence(frames, step: finalTime / Double(frames - 1)) }
    public var coordinates: [DataCoordinate] {
        [DataCoordinate(name: "x-coordinate", values: arithmeticSequence(resolution, step: 1 / Double(resolution))),
         DataCoordinate(name: "t-coordinate", values: times)]
    }
    public var parameters: [String: String] {
        ["equation": "u_t + (u^2/2)_x = nu u_xx on [0,1) periodic", "viscosity": parameterString(viscosity),
         "resolution": "\(resolution)", "frames": "\(frames)", "final_time": parameterString(finalTime),
         "solver_resolution": "\(solverResolution)", "scheme": "Fourier pseudo-spectral, 2/3 dealiasing, ETDRK4",
         "initial_condition": "periodic GRF sigma^2 (-Laplacian + tau^2)^(-gamma)",
         "grf_gamma": parameterString(field.gamma), "grf_tau": parameterString(field.tau), "grf_sigma": parameterString(field.sigma)]
    }

    public func sample(using rng: inout SplitMix64) throws -> [[Float]] {
        let u0 = try field.sample(using: &rng)
        let solution = try BurgersSolver(n: solverResolution, viscosity: viscosity).solve(initial: u0, times: times)
        let stride = solverResolution / resolution
        var out = [Float]()
        out.reserveCapacity(frames * resolution)
        for frame in solution { for j in 0..<resolution { out.append(Float(frame[j * stride])) } }
        return [out]
    }
}
