import Foundation
import Testing
@testable import PDE

/// The Cole–Hopf solution of `u_t + u u_x = ν u_xx` on [0, 1): `u = −2ν φ_x / φ` with
/// `φ = b + cos(2πx) e^{−4π²νt}` solving the heat equation `φ_t = ν φ_xx`; for `b > 1`, `φ > 0`.
/// With `b` close to 1 the profile steepens into a viscous shock near x = ½.
func coleHopf(x: Double, t: Double, nu: Double, b: Double) -> Double {
    let decay = exp(-4 * Double.pi * Double.pi * nu * t)
    let phi = b + cos(2 * .pi * x) * decay
    let phiX = -2 * .pi * sin(2 * .pi * x) * decay
    return -2 * nu * phiX / phi
}

/// max |a − b| (a length mismatch is a test failure, not a shorter comparison).
func maxError(_ a: [Double], _ b: [Double]) -> Double {
    #expect(a.count == b.count, "compared arrays of \(a.count) and \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max()!
}

struct BurgersTests {
    let nu = 0.02, b = 1.25

    func errorAgainstColeHopf(n: Int, cfl: Double, t: Double) throws -> Double {
        let grid = (0..<n).map { Double($0) / Double(n) }
        let u0 = grid.map { coleHopf(x: $0, t: 0, nu: nu, b: b) }
        let solver = try BurgersSolver(n: n, viscosity: nu, cfl: cfl)
        let u = try solver.solve(initial: u0, times: [t]).last!
        return maxError(u, grid.map { coleHopf(x: $0, t: t, nu: nu, b: b) })
    }

    /// Spectral convergence in space: the Cole–Hopf profile (max |u| ≈ 0.5, shock width
    /// ≈ 2ν/|u| ≈ 0.08) is analytic, so its Fourier coefficients decay geometrically and the
    /// error falls by orders of magnitude each time n doubles, down to the time-stepping floor.
    @Test func spectralConvergenceInSpace() throws {
        let e32 = try errorAgainstColeHopf(n: 32, cfl: 0.05, t: 0.3)
        let e64 = try errorAgainstColeHopf(n: 64, cfl: 0.05, t: 0.3)
        let e128 = try errorAgainstColeHopf(n: 128, cfl: 0.05, t: 0.3)
        print("Burgers Cole–Hopf max error n=32: \(e32), 64: \(e64), 128: \(e128)")
        #expect(e64 < e32 / 50)
        #expect(e128 < 1e-8)
    }

    /// Fourth order in time: halving the step divides the error by ≈ 16 (ETDRK4), measured on a
    /// fine grid where the spatial error is negligible.
    @Test func fourthOrderInTime() throws {
        let e1 = try errorAgainstColeHopf(n: 128, cfl: 0.8, t: 0.3)
        let e2 = try errorAgainstColeHopf(n: 128, cfl: 0.4, t: 0.3)
        let order = log2(e1 / e2)
        print("Burgers time errors \(e1), \(e2): order \(order)")
        #expect(order > 3.5 && order < 4.6)
    }

    @Test func invalidInputsThrow() throws {
        #expect(throws: PDEError.self) { try BurgersSolver(n: 7, viscosity: 0.01) }
        #expect(throws: PDEError.self) { try BurgersSolver(n: 8, viscosity: 0) }
        let s = try BurgersSolver(n: 8, viscosity: 0.01)
        #expect(throws: PDEError.self) { try s.solve(initial: [0, 1], times: [1]) }
        #expect(throws: PDEError.self) { try s.solve(initial: .init(repeating: 0, count: 8), times: [1, 0.5]) }
        #expect(throws: PDEError.self) { try s.solve(initial: .init(repeating: .nan, count: 8), times: [1]) }
    }
}
