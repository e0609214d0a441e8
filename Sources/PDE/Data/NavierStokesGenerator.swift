import Random
import Settings

/// 2-D incompressible Navier–Stokes (vorticity) data, the FNO benchmark (Li et al. 2021, §5.3):
/// `tensor` of shape `(samples, frames, R, R)` holding the vorticity at `t = 0, Δt, …`,
/// `x-coordinate` / `y-coordinate` (`i/R`) and `t-coordinate`.
///
/// Initial vorticity: periodic Gaussian random field `N(0, 7^{3/2} (−Δ + 49 I)^{−2.5})` (FNO
/// `GaussianRF(2, s, α = 2.5, τ = 7)`), drawn on the solver grid; forcing
/// `0.1 (sin 2π(x+y) + cos 2π(x+y))`; viscosity `ν = 1e-3` by default. Solved with
/// `NavierStokes2DSolver` on `solverResolution²` points; frames keep every
/// `solverResolution / R`-th grid value.
public struct NavierStokesGenerator: PDEDataGenerator {
    public let resolution: Int
    public let frames: Int
    public let interval: Double
    public let viscosity: Double
    public let solverResolution: Int
    public let field: GaussianRandomField.Periodic2D

    /// - Throws: `InvalidSetting` unless `R ≥ 4` is even, every value is within
    ///   `DataGeneratorLimits`, and `solverResolution` is a multiple of `R`.
    /// The defaults of the FNO benchmark's data (ν = 1e-3, one time unit between frames).
    public enum Defaults {
        public static let interval = 1.0
        public static let viscosity = 1e-3
    }

    public init(resolution: Int, frames: Int, interval: Double = Defaults.interval, viscosity: Double = Defaults.viscosity,
                solverResolution: Int? = nil, alpha: Double = 2.5, tau: Double = 7) throws {
        try DataGeneratorLimits.resolutionFlow2D.check(resolution, "resolution")
        try InvalidSetting.require(resolution % 2 == 0, "resolution", resolution, "even")
        try DataGeneratorLimits.frames.check(frames, "frames")
        try DataGeneratorLimits.time.check(interval, "frame_interval")
        try DataGeneratorLimits.viscosity.check(viscosity, "viscosity")
        let n = solverResolution ?? resolution
        try DataGeneratorLimits.solverResolution2D.check(n, "solver_resolution")
        try InvalidSetting.require(n >= resolution && n % resolution == 0, "solver_resolution", n,
                                   "a multiple of the resolution (\(resolution))", related: ["resolution"])
        self.resolution = resolution
        self.frames = frames
        self.interval = interval
        self.viscosity = viscosity
        self.solverResolution = n
        field = GaussianRandomField.Periodic2D(n: n, alpha: alpha, tau: tau)
        _ = try NavierStokes2DSolver(n: n, viscosity: viscosity, forcing: .none)
    }

    public var equation: String { "navier-stokes" }
    public var fields: [DataField] { [DataField(name: "tensor", sampleShape: [frames, resolution, resolution])] }
    public var times: [Double] { arithmeticSequence(frames, step: interval) }
    public var coordinates: [DataCoordinate] {
        let x = arithmeticSequence(resolution, step: 1 / Double(resolution))
        return [DataCoordinate(name: "x-coordinate", values: x), DataCoordinate(name: "y-coordinate", values: x),
                DataCoordinate(name: "t-coordinate", values: times)]
    }
    public var parameters: [String: String] {
        ["equation": "w_t + u.grad w = nu lap w + f, -lap psi = w, u = (psi_y, -psi_x) on [0,1)^2 periodic",
         "variable": "vorticity", "viscosity": parameterString(viscosity), "resolution": "\(resolution)", "frames": "\(frames)",
         "frame_interval": parameterString(interval), "solver_resolution": "\(solverResolution)",
         "forcing": "0.1 (sin 2pi(x+y) + cos 2pi(x+y))", "scheme": "Fourier pseudo-spectral, 2/3 dealiasing, ETDRK4, CFL 0.5",
         "grf_alpha": parameterString(field.alpha), "grf_tau": parameterString(field.tau), "grf_sigma": parameterString(field.sigma)]
    }

    public func sample(using rng: inout SplitMix64) throws -> [[Float]] {
        let w0 = try field.sample(using: &rng)
        let solver = try NavierStokes2DSolver(n: solverResolution, viscosity: viscosity, forcing: .fno(n: solverResolution))
        let solution = try solver.solve(initialVorticity: w0, times: times)
        let s = solverResolution / resolution, n = solverResolution
        var out = [Float]()
        out.reserveCapacity(frames * resolution * resolution)
        for frame in solution {
            for i in 0..<resolution { for j in 0..<resolution { out.append(Float(frame[(i * s) * n + j * s])) } }
        }
        return [out]
    }
}
