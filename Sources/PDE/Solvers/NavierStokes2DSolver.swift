import ComplexNumbers
import Foundation

/// Incompressible 2-D Navier–Stokes in vorticity form on the torus `[0, 1)²` — the FNO benchmark
/// (Li et al. 2021, §5.3):
/// ```
/// ∂_t w + u · ∇w = ν Δw + f,   u = (∂_y ψ, −∂_x ψ),   −Δψ = w,
/// ```
/// with the FNO forcing `f = 0.1 (sin 2π(x + y) + cos 2π(x + y))` by default. Pseudo-spectral on
/// the `n × n` grid `(x_i, y_j) = (i/n, j/n)` (array index `[i][j]`, `y` fastest), 2/3 dealiasing
/// of the advection term, ETDRK4 in time (the viscous term exactly).
///
/// In Fourier space, with `κ = 2π(k_x, k_y)`: `ψ̂ = ŵ/|κ|²` (`ψ̂₀ = 0`), `û = iκ_y ψ̂`,
/// `v̂ = −iκ_x ψ̂`, `∂_x ŵ = iκ_x ŵ`, `∂_y ŵ = iκ_y ŵ`; the four fields go to the grid in one
/// batched inverse FFT, and `N(ŵ) = −F[u ∂_x w + v ∂_y w] + f̂`. The mean vorticity `ŵ₀` is
/// conserved (it is zero for the FNO forcing and initial fields).
///
/// Time step: before each output interval the step is chosen to divide the interval and keep
/// `h · n · max(|u| + |v|) ≤ cfl` at the interval's start; a finer step is chosen whenever the
/// flow speeds up. Fourth order in time, spectral in space.
public struct NavierStokes2DSolver: Sendable {
    /// The body force.
    public enum Forcing: Sendable {
        /// No forcing (decaying flow).
        case none
        /// A fixed field (`n²` values, row-major).
        case steady([Double])
        /// A field depending on time (for manufactured solutions).
        case unsteady(@Sendable (Double) -> [Double])

        /// The FNO benchmark forcing `0.1 (sin 2π(x + y) + cos 2π(x + y))` on the `n × n` grid.
        public static func fno(n: Int) -> Forcing {
            var f = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    let s = 2 * Double.pi * Double(i + j) / Double(n)
                    f[i * n + j] = 0.1 * (sin(s) + cos(s))
                }
            }
            return .steady(f)
        }
    }

    public let n: Int
    public let viscosity: Double
    public let forcing: Forcing
    public let cfl: Double

    /// - Throws: `PDEError.invalidParameter` unless `n ≥ 4` is even, `ν ≥ 0`, `0 < cfl ≤ 1` and a
    ///   steady forcing has `n²` values.
    public init(n: Int, viscosity: Double, forcing: Forcing, cfl: Double = 0.5) throws {
        try PDEError.require(n >= 4 && n % 2 == 0, "grid size", n, "must be even and ≥ 4")
        try PDEError.require(viscosity >= 0 && viscosity.isFinite, "viscosity", viscosity, "must be ≥ 0")
        try PDEError.require(cfl > 0 && cfl <= 1, "CFL number", cfl, "must be in (0, 1]")
        if case .steady(let f) = forcing {
            try PDEError.require(f.count == n * n, "forcing length", f.count, "must be n² = \(n * n)")
        }
        self.n = n
        self.viscosity = viscosity
        self.forcing = forcing
        self.cfl = cfl
    }

    /// The vorticity at each of `times` (ascending, ≥ 0), `n²` values each (row-major).
    ///
    /// - Parameter initialVorticity: `n²` values; frequencies beyond the 2/3 rule are removed.
    /// - Throws: `PDEError.invalidParameter` for wrong sizes, non-finite values or unsorted times;
    ///   `PDEError.diverged` if the state becomes non-finite.
    public func solve(initialVorticity: [Double], times: [Double]) throws -> [[Double]] {
        try PDEError.require(initialVorticity.count == n * n, "initial vorticity length", initialVorticity.count, "must be n² = \(n * n)")
        try PDEError.require(initialVorticity.allSatisfy(\.isFinite), "initial vorticity", "values", "must be finite")
        try PDEError.require(times.allSatisfy { $0 >= 0 && $0.isFinite } && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 },
                             "output times", times.count, "must be finite, ≥ 0 and ascending")
        let ops = try Operators(n: n)
        let m = ops.fft.spectrumCount
        let linear = (0..<m).map { -viscosity * ops.kappa2[$0] }
        var steadyForce: [Complex<Double>]?
        if case .steady(let f) = forcing { steadyForce = ops.dealiased(ops.fft.forward(f)) }
        let unsteady: (@Sendable (Double) -> [Double])? = { if case .unsteady(let g) = forcing { return g }; return nil }()

        var work = Operators.Work(n: n, m: m)
        let nonlinear: ([Complex<Double>], Double, inout [Complex<Double>]) -> Void = { w, t, out in
            ops.advection(w, into: &out, work: &work)
            if let f = steadyForce {
                for k in 0..<m { out[k] += f[k] }
            } else if let g = unsteady {
                let f = ops.dealiased(ops.fft.forward(g(t)))
                for k in 0..<m { out[k] += f[k] }
            }
        }
        var w = ops.dealiased(ops.fft.forward(initialVorticity))
        var integrator: ETDRK4?
        var stepWork = ETDRK4.Workspace(count: m)
        var t = 0.0
        var frames: [[Double]] = []
        for target in times {
            let interval = target - t
            if interval > 0 {
                let speed = max(ops.maxSpeed(w, work: &work), 1e-12)
                let (h, steps) = Spectral.step(dividing: interval, atMost: cfl / (Double(n) * speed))
                if integrator == nil || abs(integrator!.h - h) > 1e-14 * h { integrator = ETDRK4(linear: linear, h: h) }
                for s in 0..<steps { integrator!.step(&w, t: t + Double(s) * h, work: &stepWork, nonlinear: nonlinear) }
                t = target
                guard w.allSatisfy({ $0.re.isFinite && $0.im.isFinite }) else { throw PDEError.diverged(solver: "Navier-Stokes 2D", time: t) }
            }
            frames.append(ops.fft.inverse(w))
        }
        return frames
    }

    /// Wavenumbers, the dealiasing mask and the batched FFTs for one grid size.
    struct Operators {
        let n: Int
        let fft: RealFFT<Double>
        let batch4: RealFFT<Double>
        let batch2: RealFFT<Double>
        /// `2π k_x`, `2π k_y` and `|κ|²` per half-spectrum entry; `keep` is the 2/3 mask.
        let kx: [Double], ky: [Double], kappa2: [Double]
        let keep: [Bool]

        init(n: Int) throws {
            self.n = n
            fft = try RealFFT<Double>(shape: [n, n])
            batch4 = try RealFFT<Double>(shape: [n, n], batch: 4)
            batch2 = try RealFFT<Double>(shape: [n, n], batch: 2)
            let h = n / 2 + 1
            var kx = [Double](), ky = [Double](), k2 = [Double](), keep = [Bool]()
            for i in 0..<n {
                for j in 0..<h {
                    let fx = Spectral.frequency(i, n), fy = j
                    kx.append(2 * .pi * Double(fx))
                    ky.append(2 * .pi * Double(fy))
                    k2.append(4 * .pi * .pi * Double(fx * fx + fy * fy))
                    keep.append(Spectral.keeps(fx, n) && Spectral.keeps(fy, n))
                }
            }
            (self.kx, self.ky, kappa2, self.keep) = (kx, ky, k2, keep)
        }

        struct Work {
            var spectra: [Complex<Double>]
            var grid: [Double]
            var product: [Double]
            init(n: Int, m: Int) {
                spectra = Array(repeating: .zero, count: 4 * m)
                grid = Array(repeating: 0, count: 4 * n * n)
                product = Array(repeating: 0, count: n * n)
            }
        }

        func dealiased(_ s: [Complex<Double>]) -> [Complex<Double>] {
            var s = s
            for k in s.indices where !keep[k] { s[k] = .zero }
            return s
        }

        /// `−F[u ∂_x w + v ∂_y w]` (dealiased) for the vorticity spectrum `w`.
        func advection(_ w: [Complex<Double>], into out: inout [Complex<Double>], work: inout Work) {
            let m = w.count, cells = n * n
            for k in 0..<m {
                let psi = kappa2[k] > 0 ? w[k] * (1 / kappa2[k]) : .zero
                work.spectra[k] = Complex(-ky[k] * psi.im, ky[k] * psi.re)            // û = iκ_y ψ̂
                work.spectra[m + k] = Complex(kx[k] * psi.im, -kx[k] * psi.re)        // v̂ = −iκ_x ψ̂
                work.spectra[2 * m + k] = Complex(-kx[k] * w[k].im, kx[k] * w[k].re)  // ∂_x ŵ
                work.spectra[3 * m + k] = Complex(-ky[k] * w[k].im, ky[k] * w[k].re)  // ∂_y ŵ
            }
            work.spectra.withUnsafeMutableBufferPointer { s in
                work.grid.withUnsafeMutableBufferPointer { batch4.inverse(destroying: s.baseAddress!, into: $0.baseAddress!) }
            }
            let scale = 1 / Double(cells * cells)
            work.grid.withUnsafeBufferPointer { g in
                for c in 0..<cells {
                    work.product[c] = (g[c] * g[2 * cells + c] + g[cells + c] * g[3 * cells + c]) * scale
                }
            }
            work.product.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { fft.forward(p.baseAddress!, into: $0.baseAddress!) } }
            for k in 0..<m { out[k] = keep[k] ? -out[k] : .zero }
        }

        /// `max (|u| + |v|)` over the grid for the vorticity spectrum `w`.
        func maxSpeed(_ w: [Complex<Double>], work: inout Work) -> Double {
            let m = w.count, cells = n * n
            for k in 0..<m {
                let psi = kappa2[k] > 0 ? w[k] * (1 / kappa2[k]) : .zero
                work.spectra[k] = Complex(-ky[k] * psi.im, ky[k] * psi.re)
                work.spectra[m + k] = Complex(kx[k] * psi.im, -kx[k] * psi.re)
            }
            work.spectra.withUnsafeMutableBufferPointer { s in
                work.grid.withUnsafeMutableBufferPointer { batch2.inverse(destroying: s.baseAddress!, into: $0.baseAddress!) }
            }
            var top = 0.0
            for c in 0..<cells { top = max(top, abs(work.grid[c]) + abs(work.grid[cells + c])) }
            return top / Double(cells)
        }
    }
}
