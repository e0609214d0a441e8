import Foundation
import Testing
@testable import PDE

/// Evaluates `f(x_i, y_j)` on the n × n grid (i/n, j/n), row-major.
func gridField(_ n: Int, _ f: (Double, Double) -> Double) -> [Double] {
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { v[i * n + j] = f(Double(i) / Double(n), Double(j) / Double(n)) } }
    return v
}

struct NavierStokesTests {
    /// Taylor–Green vortex w = A cos(2πκx) cos(2πκy) e^{−8π²κ²νt}: the advection term vanishes
    /// identically (w ∝ ψ), so the exact solution is a pure viscous decay, which ETDRK4
    /// integrates exactly; only rounding (and the discrete advection term, zero up to rounding)
    /// remains, so the error stays at the 1e-12 level after many steps.
    @Test func taylorGreenDecaysExactly() throws {
        let (n, nu, kappa, amp) = (32, 0.01, 2.0, 3.0)
        let w0 = gridField(n) { x, y in amp * cos(2 * .pi * kappa * x) * cos(2 * .pi * kappa * y) }
        let solver = try NavierStokes2DSolver(n: n, viscosity: nu, forcing: .none)
        let times = [0.5, 1.0, 2.0]
        let frames = try solver.solve(initialVorticity: w0, times: times)
        #expect(frames.count == times.count)
        for (t, w) in zip(times, frames) {
            let decay = exp(-8 * .pi * .pi * kappa * kappa * nu * t)
            let err = maxError(w, w0.map { $0 * decay })
            #expect(err < 1e-11 * amp, "t = \(t): error \(err)")
        }
    }

    /// Manufactured solution w = g(t)(sin 2πx + cos 4πy), g = 2 + sin 2t, whose advection term
    /// 1.5 g² cos 2πx sin 4πy is non-zero: the forcing f = w_t + u·∇w − νΔw makes it exact. Every
    /// product stays below the 2/3 cut-off on 16², so the spatial error is zero and the error is
    /// ETDRK4's: order 4 in the step (and a sign or velocity error would show as an O(1) error).
    @Test func manufacturedSolutionFourthOrder() throws {
        let n = 16, nu = 0.05
        func g(_ t: Double) -> Double { 2 + sin(2 * t) }
        func exact(_ t: Double) -> [Double] { gridField(n) { x, y in g(t) * (sin(2 * .pi * x) + cos(4 * .pi * y)) } }
        let forcing = NavierStokes2DSolver.Forcing.unsteady { t in
            let gt = 2 + sin(2 * t), dg = 2 * cos(2 * t)
            return gridField(n) { x, y in
                let s = sin(2 * .pi * x), c = cos(4 * .pi * y)
                return dg * (s + c) + 1.5 * gt * gt * cos(2 * .pi * x) * sin(4 * .pi * y)
                    + nu * gt * (4 * .pi * .pi * s + 16 * .pi * .pi * c)
            }
        }
        func error(cfl: Double) throws -> Double {
            let solver = try NavierStokes2DSolver(n: n, viscosity: nu, forcing: forcing, cfl: cfl)
            return maxError(try solver.solve(initialVorticity: exact(0), times: [1.0]).last!, exact(1))
        }
        let e1 = try error(cfl: 0.6), e2 = try error(cfl: 0.3)
        print("NS manufactured errors \(e1), \(e2): order \(log2(e1 / e2))")
        #expect(e1 < 1e-4)
        #expect(log2(e1 / e2) > 3.5 && log2(e1 / e2) < 4.6)
    }

    /// The FNO forcing 0.1(sin 2π(x+y) + cos 2π(x+y)) on the grid.
    @Test func fnoForcing() {
        guard case .steady(let f) = NavierStokes2DSolver.Forcing.fno(n: 8) else { Issue.record("not steady"); return }
        #expect(abs(f[1 * 8 + 1] - 0.1 * (sin(.pi / 2) + cos(.pi / 2))) < 1e-15)
        #expect(abs(f[0] - 0.1) < 1e-15)
    }

    @Test func invalidInputsThrow() throws {
        #expect(throws: PDEError.self) { try NavierStokes2DSolver(n: 9, viscosity: 1e-3, forcing: .none) }
        #expect(throws: PDEError.self) { try NavierStokes2DSolver(n: 8, viscosity: 1e-3, forcing: .steady([1, 2])) }
        let s = try NavierStokes2DSolver(n: 8, viscosity: 1e-3, forcing: .none)
        #expect(throws: PDEError.self) { try s.solve(initialVorticity: [1], times: [1]) }
    }
}
