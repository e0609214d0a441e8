import ComplexNumbers
import Foundation

/// The viscous Burgers equation `u_t + (u²/2)_x = ν u_xx` on the periodic interval `[0, 1)`,
/// solved pseudo-spectrally: Fourier in space on `n` points `x_j = j/n` with Orszag's 2/3
/// dealiasing, ETDRK4 in time (the viscous term exactly, the advective term explicitly).
///
/// In Fourier space `û_t = −ν(2πk)² û − (iπk) F[u²]`. The step is the largest that divides each
/// output interval and keeps the advective CFL number `h · max|u₀| · n ≤ cfl` (the maximum
/// principle bounds `max|u(t)|` by `max|u₀|` for all t, so one bound holds for the whole run).
///
/// Accuracy: spectral in space while the solution is resolved — its Fourier coefficients decay
/// like `exp(−π² δ k)` with shock width `δ ≈ 2ν/max|u|`, so `n ≳ 3 max|u| / ν` keeps the
/// truncation below ~1e-8 — and fourth order in time.
public struct BurgersSolver: Sendable {
    public let n: Int
    public let viscosity: Double
    public let cfl: Double

    /// - Throws: `PDEError.invalidParameter` unless `n ≥ 4` is even, `ν > 0` and `0 < cfl ≤ 1`.
    public init(n: Int, viscosity: Double, cfl: Double = 0.5) throws {
        try PDEError.require(n >= 4 && n % 2 == 0, "grid size", n, "must be even and ≥ 4")
        try PDEError.require(viscosity > 0 && viscosity.isFinite, "viscosity", viscosity, "must be positive")
        try PDEError.require(cfl > 0 && cfl <= 1, "CFL number", cfl, "must be in (0, 1]")
        self.n = n
        self.viscosity = viscosity
        self.cfl = cfl
    }

    /// The solution at each of `times` (ascending, ≥ 0; a time 0 returns the dealiased `initial`).
    ///
    /// - Parameter initial: `n` values at `x_j = j/n`. Frequencies at or above `n/3` are removed
    ///   first (the 2/3 rule), so pass a band-limited field for an exact comparison.
    /// - Throws: `PDEError.invalidParameter` for a wrong count, non-finite values or unsorted
    ///   times; `PDEError.diverged` if the state becomes non-finite.
    public func solve(initial: [Double], times: [Double]) throws -> [[Double]] {
        try PDEError.require(initial.count == n, "initial condition length", initial.count, "must equal the grid size \(n)")
        try PDEError.require(initial.allSatisfy(\.isFinite), "initial condition", "values", "must be finite")
        try PDEError.require(times.allSatisfy { $0 >= 0 && $0.isFinite } && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 },
                             "output times", times.count, "must be finite, ≥ 0 and ascending")
        let fft = try RealFFT<Double>(shape: [n])
        let m = fft.spectrumCount
        let keep = (0..<m).map { Spectral.keeps($0, n) }
        let linear = (0..<m).map { -viscosity * pow(2 * Double.pi * Double($0), 2) }
        // N(û) = −iπk F[(F⁻¹ û)²], dealiased.
        var physical = [Double](repeating: 0, count: n)
        var scratch = [Complex<Double>](repeating: .zero, count: m)
        let nonlinear: ([Complex<Double>], Double, inout [Complex<Double>]) -> Void = { v, _, out in
            scratch = v
            scratch.withUnsafeMutableBufferPointer { s in
                physical.withUnsafeMutableBufferPointer { fft.inverse(destroying: s.baseAddress!, into: $0.baseAddress!) }
            }
            let scale = 1 / Double(self.n)
            for j in 0..<self.n { let u = physical[j] * scale; physical[j] = u * u }
            physical.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { fft.forward(p.baseAddress!, into: $0.baseAddress!) } }
            for k in 0..<m { out[k] = keep[k] ? Complex(Double.pi * Double(k) * out[k].im, -Double.pi * Double(k) * out[k].re) : .zero }
        }
        var u = fft.forward(initial)
        for k in 0..<m where !keep[k] { u[k] = .zero }
        let umax = max(initial.map(abs).max() ?? 0, 1e-12)
        let hLimit = cfl / (umax * Double(n))
        var integrator: ETDRK4?
        var work = ETDRK4.Workspace(count: m)
        var t = 0.0
        var out: [[Double]] = []
        for target in times {
            let interval = target - t
            if interval > 0 {
                let (h, steps) = Spectral.step(dividing: interval, atMost: hLimit)
                if integrator == nil || abs(integrator!.h - h) > 1e-14 * h { integrator = ETDRK4(linear: linear, h: h) }
                for s in 0..<steps { integrator!.step(&u, t: t + Double(s) * h, work: &work, nonlinear: nonlinear) }
                t = target
                guard u.allSatisfy({ $0.re.isFinite && $0.im.isFinite }) else { throw PDEError.diverged(solver: "Burgers", time: t) }
            }
            out.append(fft.inverse(u))
        }
        return out
    }
}
