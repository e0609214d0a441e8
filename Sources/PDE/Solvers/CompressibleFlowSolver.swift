import Foundation

/// The primitive fields of a 2-D compressible flow on an `n × n` grid (row-major `[i][j]`,
/// `x` along `i`): density `ρ`, velocity `(vx, vy)` and pressure `p`.
public struct FlowState: Sendable, Equatable {
    public var density: [Double]
    public var vx: [Double]
    public var vy: [Double]
    public var pressure: [Double]

    public init(density: [Double], vx: [Double], vy: [Double], pressure: [Double]) {
        self.density = density
        self.vx = vx
        self.vy = vy
        self.pressure = pressure
    }
}

/// 2-D compressible Navier–Stokes on the periodic unit square, the equations of PDEBench's 2-D
/// CFD data (Takamoto et al. 2022):
/// ```
/// ∂_t ρ + ∇·(ρv) = 0
/// ∂_t (ρv) + ∇·(ρ v⊗v + p I − σ') = 0
/// ∂_t E + ∇·((E + p) v − v·σ') = 0,      E = p/(γ−1) + ρ|v|²/2,
/// σ' = μ (∇v + ∇vᵀ − ⅔ (∇·v) I) + μ_b (∇·v) I,
/// ```
/// with `γ = 5/3`. As in PDEBench's generator (`CFD_multi_Hydra.py`: "the viscosity is eta*D0,
/// so that dv/dt = eta d²v/dx²"), `η` and `ζ` are kinematic: the shear and bulk viscosities are
/// `μ = ηρ` and `μ_b = ζρ`. (PDEBench's code also drops the cross-derivative terms of `σ'`; we
/// keep the full tensor.)
///
/// Finite volumes on `n × n` cells with centres `((i+½)/n, (j+½)/n)`: MUSCL reconstruction of
/// the primitive variables with the van Leer limiter, the HLLC Riemann solver (Toro, Spruce &
/// Speares 1994; Davis wave-speed estimates), central viscous fluxes (face-normal derivatives by
/// differences across the face, tangential ones by averaging the neighbouring central
/// differences), and the two-stage strong-stability-preserving Runge–Kutta method (Heun). The
/// step is `min(cfl / max_cells((|vx| + c)/h + (|vy| + c)/h), 0.2 h² / (4η/3 + ζ))`, shortened to
/// land on every output time. Mass, momentum and energy are conserved to rounding (every face
/// flux is added to one cell and subtracted from its neighbour). Second order for smooth flows
/// (the limiter clips smooth extrema to first order locally).
public struct CompressibleFlowSolver: Sendable {
    public let n: Int
    public let gamma: Double
    public let shearViscosity: Double
    public let bulkViscosity: Double
    public let cfl: Double

    /// - Throws: `PDEError.invalidParameter` unless `n ≥ 4`, `γ > 1`, `η, ζ ≥ 0` and `0 < cfl ≤ 0.5`.
    public init(n: Int, shearViscosity eta: Double, bulkViscosity zeta: Double, gamma: Double = 5.0 / 3.0, cfl: Double = 0.4) throws {
        try PDEError.require(n >= 4, "grid size", n, "must be ≥ 4")
        try PDEError.require(gamma > 1 && gamma.isFinite, "gamma", gamma, "must be > 1")
        try PDEError.require(eta >= 0 && zeta >= 0 && eta.isFinite && zeta.isFinite, "viscosities", "\(eta), \(zeta)", "must be ≥ 0")
        try PDEError.require(cfl > 0 && cfl <= 0.5, "CFL number", cfl, "must be in (0, 0.5]")
        self.n = n
        self.gamma = gamma
        shearViscosity = eta
        bulkViscosity = zeta
        self.cfl = cfl
    }

    /// The flow at each of `times` (ascending, ≥ 0; time 0 returns `initial`).
    /// - Throws: `PDEError.invalidParameter` for wrong sizes, non-finite or non-positive density or
    ///   pressure, or unsorted times; `PDEError.diverged` if density or pressure leaves (0, ∞).
    public func solve(initial: FlowState, times: [Double]) throws -> [FlowState] {
        let cells = n * n
        for (name, field) in [("density", initial.density), ("vx", initial.vx), ("vy", initial.vy), ("pressure", initial.pressure)] {
            try PDEError.require(field.count == cells, "\(name) length", field.count, "must be n² = \(cells)")
            try PDEError.require(field.allSatisfy(\.isFinite), name, "values", "must be finite")
        }
        try PDEError.require(initial.density.allSatisfy { $0 > 0 } && initial.pressure.allSatisfy { $0 > 0 },
                             "initial state", "density/pressure", "must be positive")
        try PDEError.require(times.allSatisfy { $0 >= 0 && $0.isFinite } && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 },
                             "output times", times.count, "must be finite, ≥ 0 and ascending")
        var u = Conserved(initial, gamma: gamma)
        var work = Work(cells: cells)
        var k1 = u, k2 = u
        var t = 0.0
        var out: [FlowState] = []
        let h = 1 / Double(n)
        let viscousLimit = (4 * shearViscosity / 3 + bulkViscosity) > 0 ? 0.2 * h * h / (4 * shearViscosity / 3 + bulkViscosity) : .infinity
        for target in times {
            while t < target {
                var dt = min(try advectiveStep(u), viscousLimit)
                let last = t + dt >= target - 1e-12 * max(1, target)
                if last { dt = target - t }
                // SSP-RK2: U¹ = U + dt L(U);  U ← ½ U + ½ (U¹ + dt L(U¹)).
                rates(u, into: &k1, work: &work)
                var stage = u
                stage.add(k1, scale: dt)
                rates(stage, into: &k2, work: &work)
                stage.add(k2, scale: dt)
                u.average(with: stage)
                t = last ? target : t + dt
                guard u.isPhysical(gamma: gamma) else { throw PDEError.diverged(solver: "compressible Navier-Stokes", time: t) }
            }
            out.append(u.primitive(gamma: gamma))
        }
        return out
    }

    /// `cfl / max((|vx| + c)/h + (|vy| + c)/h)`.
    private func advectiveStep(_ u: Conserved) throws -> Double {
        var top = 0.0
        for k in 0..<(n * n) {
            let rho = u.rho[k], vx = u.mx[k] / rho, vy = u.my[k] / rho
            let p = (gamma - 1) * (u.e[k] - 0.5 * rho * (vx * vx + vy * vy))
            let c = (gamma * max(p, 0) / rho).squareRoot()
            top = max(top, abs(vx) + abs(vy) + 2 * c)
        }
        guard top.isFinite, top > 0 else { throw PDEError.diverged(solver: "compressible Navier-Stokes", time: .nan) }
        return cfl / (top * Double(n))
    }

    /// Conserved variables per cell: ρ, ρvx, ρvy, E.
    struct Conserved {
        var rho, mx, my, e: [Double]

        init(_ s: FlowState, gamma: Double) {
            rho = s.density
            mx = zip(s.density, s.vx).map(*)
            my = zip(s.density, s.vy).map(*)
            e = (0..<s.density.count).map { k in
                s.pressure[k] / (gamma - 1) + 0.5 * s.density[k] * (s.vx[k] * s.vx[k] + s.vy[k] * s.vy[k])
            }
        }

        mutating func add(_ d: Conserved, scale: Double) {
            for k in rho.indices {
                rho[k] += scale * d.rho[k]; mx[k] += scale * d.mx[k]; my[k] += scale * d.my[k]; e[k] += scale * d.e[k]
            }
        }

        mutating func average(with other: Conserved) {
            for k in rho.indices {
                rho[k] = 0.5 * (rho[k] + other.rho[k]); mx[k] = 0.5 * (mx[k] + other.mx[k])
                my[k] = 0.5 * (my[k] + other.my[k]); e[k] = 0.5 * (e[k] + other.e[k])
            }
        }

        func primitive(gamma: Double) -> FlowState {
            let vx = zip(mx, rho).map(/), vy = zip(my, rho).map(/)
            let p = (0..<rho.count).map { k in (gamma - 1) * (e[k] - 0.5 * rho[k] * (vx[k] * vx[k] + vy[k] * vy[k])) }
            return FlowState(density: rho, vx: vx, vy: vy, pressure: p)
        }

        func isPhysical(gamma: Double) -> Bool {
            for k in rho.indices {
                let r = rho[k]
                guard r > 0, r.isFinite else { return false }
                let p = (gamma - 1) * (e[k] - 0.5 * (mx[k] * mx[k] + my[k] * my[k]) / r)
                guard p > 0, p.isFinite else { return false }
            }
            return true
        }
    }

    struct Work {
        /// Primitive fields ρ, vx, vy, p, one after another (`4 n²` values).
        var w: [Double]
        /// Limited slopes of the primitive fields along the current direction (`4 n²` values).
        var slope: [Double]
        init(cells: Int) {
            w = Array(repeating: 0, count: 4 * cells)
            slope = w
        }
    }
}
