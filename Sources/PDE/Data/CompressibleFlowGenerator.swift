import Foundation
import Random
import Settings

/// 2-D compressible Navier–Stokes data in PDEBench's 2-D CFD layout: `density`, `Vx`, `Vy`,
/// `pressure`, each `(samples, frames, R, R)`, with `x-coordinate` / `y-coordinate` (cell
/// centres) and `t-coordinate` (`0, Δt, …`; PDEBench: 21 frames every 0.05).
///
/// Initial conditions follow PDEBench's `2D_rand` mode (`init_multi_HD_2DRand`): per sample a
/// background density `d₀ ~ U(0.1, 10)` and temperature `T₀ ~ U(0.1, 10)` (`p₀ = d₀T₀`),
/// relative amplitudes `δ_d, δ_p ~ U(0.01, 0.2)`; four fields `Σ_{|i|,|j| ≤ k_tot, ij ≠ 0} |k|^{−1/2}
/// sin(2π(i x + j y) + φ)` with independent uniform phases; the velocity scaled to mean speed
/// `M c_s` (`c_s = √(γT₀)`, Mach number `M`), `ρ = d₀(1 + δ_d f/mean|f|)`, `p = p₀(1 + δ_p g/mean|g|)`;
/// and with probability ½ everything confined to a random box (tanh edges of width 0.01,
/// `x_L, y_L ~ U(0.1, 0.45)`, `x_R, y_R ~ U(0.55, 0.9)`) outside which the gas is at rest at
/// `(d₀, p₀)`. Solved with `CompressibleFlowSolver` on `solverResolution²` cells; frames keep
/// every `solverResolution / R`-th cell (as PDEBench's `reduced_resolution` slicing does).
public struct CompressibleFlowGenerator: PDEDataGenerator {
    public let resolution: Int
    public let frames: Int
    public let interval: Double
    public let mach: Double
    public let shearViscosity: Double
    public let bulkViscosity: Double
    public let solverResolution: Int
    public let maxWavenumber: Int
    public let gamma = 5.0 / 3.0

    /// - Throws: `InvalidSetting` unless every value is within `DataGeneratorLimits` (`R ≥ 4`,
    ///   `0 < M ≤ 1`, `1 ≤ k_tot ≤ 64`) and `solverResolution` is a multiple of `R`.
    /// PDEBench's 2-D CFD settings (`2D_CFD_Rand_M0.1_Eta0.01_Zeta0.01`, 21 frames 0.05 apart).
    public enum Defaults {
        public static let frames = 21
        public static let interval = 0.05
        public static let mach = 0.1
        public static let shearViscosity = 0.01
        public static let bulkViscosity = 0.01
    }

    public init(resolution: Int, frames: Int = Defaults.frames, interval: Double = Defaults.interval, mach: Double = Defaults.mach,
                shearViscosity: Double = Defaults.shearViscosity, bulkViscosity: Double = Defaults.bulkViscosity,
                solverResolution: Int? = nil, maxWavenumber: Int = 4) throws {
        try DataGeneratorLimits.resolutionFlow2D.check(resolution, "resolution")
        try DataGeneratorLimits.frames.check(frames, "frames")
        try DataGeneratorLimits.time.check(interval, "frame_interval")
        try DataGeneratorLimits.mach.check(mach, "mach")
        try DataGeneratorLimits.viscosity.check(shearViscosity, "eta")
        try DataGeneratorLimits.viscosity.check(bulkViscosity, "zeta")
        try SettingRange<Int>(1, 64).check(maxWavenumber, "k_tot")
        let n = solverResolution ?? resolution
        try DataGeneratorLimits.solverResolution2D.check(n, "solver_resolution")
        try InvalidSetting.require(n >= resolution && n % resolution == 0, "solver_resolution", n,
                                   "a multiple of the resolution (\(resolution))", related: ["resolution"])
        _ = try CompressibleFlowSolver(n: n, shearViscosity: shearViscosity, bulkViscosity: bulkViscosity)
        self.resolution = resolution
        self.frames = frames
        self.interval = interval
        self.mach = mach
        self.shearViscosity = shearViscosity
        self.bulkViscosity = bulkViscosity
        self.solverResolution = n
        self.maxWavenumber = maxWavenumber
    }

    public var equation: String { "cfd" }
    public var fields: [DataField] {
        ["density", "Vx", "Vy", "pressure"].map { DataField(name: $0, sampleShape: [frames, resolution, resolution]) }
    }
    public var times: [Double] { arithmeticSequence(frames, step: interval) }
    public var coordinates: [DataCoordinate] {
        // Centres of the kept solver cells i·s: (i·s + ½)/n.
        let centres = arithmeticSequence(resolution, start: 0.5 / Double(solverResolution), step: 1 / Double(resolution))
        return [DataCoordinate(name: "x-coordinate", values: centres), DataCoordinate(name: "y-coordinate", values: centres),
                DataCoordinate(name: "t-coordinate", values: times)]
    }
    public var parameters: [String: String] {
        ["equation": "2-D compressible Navier-Stokes, periodic [0,1]^2, gamma 5/3, kinematic viscosities (mu = eta rho, mu_b = zeta rho)",
         "mach": parameterString(mach), "eta": parameterString(shearViscosity), "zeta": parameterString(bulkViscosity),
         "resolution": "\(resolution)", "solver_resolution": "\(solverResolution)", "frames": "\(frames)",
         "frame_interval": parameterString(interval), "k_tot": "\(maxWavenumber)", "initial_condition": "PDEBench 2D_rand",
         "scheme": "finite volumes, MUSCL (van Leer) + HLLC, central viscous fluxes, SSP-RK2, CFL 0.4"]
    }

    /// A random initial state on the solver grid. PDEBench's law occasionally gives a negative
    /// pressure or density somewhere (a `δ_p = 0.2` field below −5 mean deviations; ≈ 1 % of
    /// draws at 32²), which PDEBench's solver floors at `p = 1e-4`; we redraw such states from the
    /// same stream instead (conditioning the law on positivity).
    /// - Throws: `PDEError.invalidParameter` if 1,000 draws in a row are not positive.
    public func initialState(using rng: inout SplitMix64) throws -> FlowState {
        for _ in 0..<1000 {
            let s = draw(using: &rng)
            if s.density.allSatisfy({ $0 > 0 }) && s.pressure.allSatisfy({ $0 > 0 }) { return s }
        }
        throw PDEError.invalidParameter(name: "initial-state law", value: "k_tot \(maxWavenumber)", reason: "1,000 draws gave no positive density and pressure")
    }

    /// One draw of PDEBench's `2D_rand` law (possibly non-positive somewhere).
    func draw(using rng: inout SplitMix64) -> FlowState {
        let n = solverResolution, cells = n * n
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * rng.uniform() }
        let d0 = uniform(0.1, 10), deltaD = uniform(0.01, 0.2), t0 = uniform(0.1, 10), deltaP = uniform(0.01, 0.2)
        let windowed = rng.uniform() < 0.5
        let (xl, xr, yl, yr) = (uniform(0.1, 0.45), uniform(0.55, 0.9), uniform(0.1, 0.45), uniform(0.55, 0.9))
        let centres = (0..<n).map { (Double($0) + 0.5) / Double(n) }
        var fields = [[Double]](repeating: [Double](repeating: 0, count: cells), count: 4)   // vx, vy, p, d
        let kt = maxWavenumber
        for j in -kt...kt {
            for i in -kt...kt where i * j != 0 {
                let kx = 2 * Double.pi * Double(i), ky = 2 * Double.pi * Double(j)
                let amplitude = 1 / (kx * kx + ky * ky).squareRoot().squareRoot()
                let phases = (0..<4).map { _ in 2 * Double.pi * rng.uniform() }
                for a in 0..<n {
                    for b in 0..<n {
                        let phase = kx * centres[a] + ky * centres[b]
                        for f in 0..<4 { fields[f][a * n + b] += amplitude * sin(phase + phases[f]) }
                    }
                }
            }
        }
        let p0 = d0 * t0, u0 = mach * (gamma * t0).squareRoot()
        let meanSpeed = (0..<cells).map { (fields[0][$0] * fields[0][$0] + fields[1][$0] * fields[1][$0]).squareRoot() }.reduce(0, +) / Double(cells)
        let meanP = fields[2].map(abs).reduce(0, +) / Double(cells), meanD = fields[3].map(abs).reduce(0, +) / Double(cells)
        var state = FlowState(density: fields[3].map { d0 * (1 + deltaD * $0 / meanD) }, vx: fields[0].map { $0 * u0 / meanSpeed },
                              vy: fields[1].map { $0 * u0 / meanSpeed }, pressure: fields[2].map { p0 * (1 + deltaP * $0 / meanP) })
        if windowed {
            func window(_ x: Double, _ lo: Double, _ hi: Double) -> Double { 0.5 * (tanh((x - lo) / 0.01) - tanh((x - hi) / 0.01)) }
            for a in 0..<n {
                for b in 0..<n {
                    let k = a * n + b, m = window(centres[a], xl, xr) * window(centres[b], yl, yr)
                    state.density[k] = state.density[k] * m + d0 * (1 - m)
                    state.pressure[k] = state.pressure[k] * m + p0 * (1 - m)
                    state.vx[k] *= m
                    state.vy[k] *= m
                }
            }
        }
        return state
    }

    public func sample(using rng: inout SplitMix64) throws -> [[Float]] {
        let initial = try initialState(using: &rng)
        let solver = try CompressibleFlowSolver(n: solverResolution, shearViscosity: shearViscosity, bulkViscosity: bulkViscosity, gamma: gamma)
        let states = try solver.solve(initial: initial, times: times)
        let s = solverResolution / resolution, n = solverResolution
        var out = [[Float]](repeating: [], count: 4)
        for state in states {
            for (f, field) in [state.density, state.vx, state.vy, state.pressure].enumerated() {
                for i in 0..<resolution { for j in 0..<resolution { out[f].append(Float(field[(i * s) * n + j * s])) } }
            }
        }
        return out
    }
}
