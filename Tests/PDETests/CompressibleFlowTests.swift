import Foundation
import Testing
@testable import PDE

/// Cell-centre field (i+½)/n, (j+½)/n.
func cellField(_ n: Int, _ f: (Double, Double) -> Double) -> [Double] {
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { v[i * n + j] = f((Double(i) + 0.5) / Double(n), (Double(j) + 0.5) / Double(n)) } }
    return v
}

struct CompressibleFlowTests {
    /// Total mass, momentum and energy stay constant to rounding: every face flux enters one
    /// cell and leaves its neighbour, viscous fluxes included (n = 12, a non-trivial flow with
    /// density, pressure and velocity perturbations, η = ζ = 0.01).
    @Test func conservesMassMomentumAndEnergy() throws {
        let n = 12, g = 5.0 / 3.0
        let s = FlowState(density: cellField(n) { x, y in 1 + 0.3 * sin(2 * .pi * x) * cos(4 * .pi * y) },
                          vx: cellField(n) { x, y in 0.2 * sin(2 * .pi * y) }, vy: cellField(n) { x, _ in 0.1 * cos(2 * .pi * x) },
                          pressure: cellField(n) { x, y in 1 + 0.2 * cos(2 * .pi * (x + y)) })
        func totals(_ s: FlowState) -> [Double] {
            var t = [0.0, 0, 0, 0]
            for k in 0..<(n * n) {
                let r = s.density[k]
                t[0] += r; t[1] += r * s.vx[k]; t[2] += r * s.vy[k]
                t[3] += s.pressure[k] / (g - 1) + 0.5 * r * (s.vx[k] * s.vx[k] + s.vy[k] * s.vy[k])
            }
            return t
        }
        let end = try CompressibleFlowSolver(n: n, shearViscosity: 0.01, bulkViscosity: 0.01).solve(initial: s, times: [0.15]).last!
        let (a, b) = (totals(s), totals(end))
        for c in 0..<4 { #expect(abs(a[c] - b[c]) < 1e-12 * max(1, abs(a[c])), "quantity \(c): \(a[c]) → \(b[c])") }
        #expect(maxError(end.density, s.density) > 1e-3)   // the flow did evolve
    }

    /// A density wave ρ = 1 + 0.2 sin 2π(x + y) carried by a uniform flow (0.5, 0.3) at uniform
    /// pressure is an exact solution (the viscous stress of a uniform velocity is zero):
    /// ρ(x, t) = ρ₀(x − vt). The L1 error converges at order ≈ 2 (MUSCL–HLLC–SSP-RK2; the
    /// limiter clips the extrema, so the order is checked ≥ 1.7), and velocity and pressure stay
    /// uniform to rounding (HLLC preserves contact waves).
    @Test func advectedDensityWaveConvergesAtSecondOrder() throws {
        let (vx, vy, t) = (0.5, 0.3, 0.2)
        func error(_ n: Int) throws -> Double {
            let s = FlowState(density: cellField(n) { x, y in 1 + 0.2 * sin(2 * .pi * (x + y)) },
                              vx: .init(repeating: vx, count: n * n), vy: .init(repeating: vy, count: n * n),
                              pressure: .init(repeating: 1, count: n * n))
            let out = try CompressibleFlowSolver(n: n, shearViscosity: 0.01, bulkViscosity: 0.01).solve(initial: s, times: [t]).last!
            #expect(out.vx.allSatisfy { abs($0 - vx) < 1e-12 } && out.pressure.allSatisfy { abs($0 - 1) < 1e-12 })
            let exact = cellField(n) { x, y in 1 + 0.2 * sin(2 * .pi * (x - vx * t + y - vy * t)) }
            #expect(out.density.count == exact.count)
            return zip(out.density, exact).map { abs($0 - $1) }.reduce(0, +) / Double(n * n)
        }
        let errors = try [8, 16, 32].map(error)
        let orders = zip(errors, errors.dropFirst()).map { log2($0 / $1) }
        print("CFD advected wave L1 errors \(errors), orders \(orders)")
        #expect(orders.last! > 1.7 && errors.last! < 2e-3)
    }

    /// A small shear wave vy = A sin 2πx at rest density and pressure decays as
    /// exp(−4π² η t) (kinematic η): the discrete viscous operator's rate differs by
    /// O((πh)²) ≈ 0.3 % at n = 32, and HLLC adds no dissipation to a stationary shear wave;
    /// heating is O(A²). Checked to 1 % of the decay.
    @Test func shearWaveDecaysAtTheViscousRate() throws {
        let (n, eta, a, t) = (32, 0.05, 0.01, 0.2)
        let s = FlowState(density: .init(repeating: 1, count: n * n), vx: .init(repeating: 0, count: n * n),
                          vy: cellField(n) { x, _ in a * sin(2 * .pi * x) }, pressure: .init(repeating: 1, count: n * n))
        let out = try CompressibleFlowSolver(n: n, shearViscosity: eta, bulkViscosity: 0.01).solve(initial: s, times: [t]).last!
        // Amplitude: projection of vy on sin 2πx.
        var amplitude = 0.0
        for i in 0..<n { amplitude += 2 * out.vy[i * n] * sin(2 * .pi * (Double(i) + 0.5) / Double(n)) / Double(n) }
        let expected = a * exp(-4 * .pi * .pi * eta * t)
        print("CFD shear wave amplitude \(amplitude), expected \(expected)")
        #expect(abs(amplitude - expected) < 0.01 * (a - expected))
    }

    @Test func invalidInputsThrow() throws {
        #expect(throws: PDEError.self) { try CompressibleFlowSolver(n: 2, shearViscosity: 0.01, bulkViscosity: 0.01) }
        #expect(throws: PDEError.self) { try CompressibleFlowSolver(n: 8, shearViscosity: -1, bulkViscosity: 0.01) }
        let solver = try CompressibleFlowSolver(n: 4, shearViscosity: 0.01, bulkViscosity: 0.01)
        let ones = [Double](repeating: 1, count: 16)
        #expect(throws: PDEError.self) { try solver.solve(initial: FlowState(density: ones, vx: ones, vy: ones, pressure: [1]), times: [1]) }
        #expect(throws: PDEError.self) {
            try solver.solve(initial: FlowState(density: ones.map { -$0 }, vx: ones, vy: ones, pressure: ones), times: [1])
        }
    }
}
