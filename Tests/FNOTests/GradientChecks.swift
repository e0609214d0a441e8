import ComplexNumbers
import GradientCheckSupport
import PDE
import Random
import Testing
import Train
@testable import FNO

/// Gradient checks in Double: every layer's backward against central finite differences of
/// L = Σ r ⊙ y for a fixed random r. Step h = 1e-6: truncation O(h²) ≈ 1e-12, round-off
/// ≈ 1e-16/h = 1e-10, so a relative error below 1e-6 (of the gradient's scale) can only fail
/// on a wrong formula — a missing factor 2 of the Hermitian weighting is an O(1) error.
@Suite struct GradientChecks {
    static func random(_ n: Int, _ rng: inout SeededRNG, scale: Double = 1) -> [Double] {
        (0..<n).map { _ in scale * (2 * rng.uniform() - 1) }
    }

    /// Shapes: 1-D even and odd, 2-D even × even, odd × even, even × odd — with modes reaching
    /// the last axis' Nyquist entry (a self-conjugate column) in two of them.
    static let shapes: [(shape: [Int], modes: [Int])] = [
        ([8], [3]), ([7], [4]), ([6, 8], [2, 5]), ([7, 6], [3, 4]), ([6, 5], [2, 3]),
    ]

    @Test(arguments: 0..<5) func spectralConv(_ which: Int) throws {
        let (shape, modes) = Self.shapes[which]
        var rng = SeededRNG(seed: UInt64(10 + which))
        let B = 2, I = 3, O = 2, S = shape.reduce(1, *)
        let conv = try SpectralConv<Double>(shape: shape, modes: modes, inChannels: I, outChannels: O, maxBatch: B)
        let corners = conv.corners.cornerCount, wCount = I * O * modes.reduce(1, *) * 2
        var x = Self.random(B * I * S, &rng)
        let ws = (0..<corners).map { _ in Self.random(wCount, &rng) }
        let r = Self.random(B * O * S, &rng)
        func loss(_ x: [Double], _ ws: [[Double]]) -> Double {
            var y = [Double](repeating: 0, count: B * O * S)
            let saved = UnsafeMutablePointer<Complex<Double>>.allocate(capacity: conv.blockCount(batch: B))
            defer { saved.deallocate() }
            let pointers = ws.map { w -> UnsafeMutablePointer<Double> in
                let p = UnsafeMutablePointer<Double>.allocate(capacity: w.count); p.initialize(from: w, count: w.count); return p
            }
            defer { pointers.forEach { $0.deallocate() } }
            conv.forward(x, batch: B, weights: pointers.map { UnsafePointer($0) }, into: &y, saving: saved)
            return FiniteDifferences.dot(y, r)
        }
        // Analytic.
        var y = [Double](repeating: 0, count: B * O * S), dx = [Double](repeating: 0, count: B * I * S)
        let saved = UnsafeMutablePointer<Complex<Double>>.allocate(capacity: conv.blockCount(batch: B))
        defer { saved.deallocate() }
        let wp = ws.map { w -> UnsafeMutablePointer<Double> in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: w.count); p.initialize(from: w, count: w.count); return p
        }
        let dwp = ws.map { w -> UnsafeMutablePointer<Double> in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: w.count); p.initialize(repeating: 0, count: w.count); return p
        }
        defer { (wp + dwp).forEach { $0.deallocate() } }
        conv.forward(x, batch: B, weights: wp.map { UnsafePointer($0) }, into: &y, saving: saved)
        conv.backward(dy: r, batch: B, weights: wp.map { UnsafePointer($0) }, saved: saved, dx: &dx, dWeights: dwp)
        FiniteDifferences.expectClose(dx, FiniteDifferences.numerical(&x) { loss($0, ws) }, "spectral conv \(shape) dx")
        for c in 0..<corners {
            let analytic = Array(UnsafeBufferPointer(start: dwp[c], count: wCount))
            var probe = ws[c]
            let fixed = ws
            let numeric = FiniteDifferences.numerical(&probe) { w in var all = fixed; all[c] = w; return loss(x, all) }
            FiniteDifferences.expectClose(analytic, numeric, "spectral conv \(shape) dW corner \(c)")
        }
    }

    @Test func pointwiseConv() {
        var rng = SeededRNG(seed: 3)
        let B = 2, I = 3, O = 4, S = 5
        var x = Self.random(B * I * S, &rng), w = Self.random(O * I, &rng), b = Self.random(O, &rng)
        let r = Self.random(B * O * S, &rng), base = Self.random(B * O * S, &rng)
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            var y = base
            PointwiseConv.forward(&y, x, weight: w, bias: b, batch: B, inputs: I, outputs: O, points: S, accumulate: true)
            return FiniteDifferences.dot(y, r)
        }
        var dx = Self.random(B * I * S, &rng)
        let dx0 = dx
        var dw = [Double](repeating: 0, count: O * I), db = [Double](repeating: 0, count: O)
        PointwiseConv.backward(dx: &dx, dWeight: &dw, dBias: &db, dy: r, x: x, weight: w, batch: B, inputs: I, outputs: O,
                               points: S, accumulateInput: true)
        FiniteDifferences.expectClose(zip(dx, dx0).map { $0 - $1 }, FiniteDifferences.numerical(&x) { loss($0, w, b) }, "1×1 conv dx")
        FiniteDifferences.expectClose(dw, FiniteDifferences.numerical(&w) { loss(x, $0, b) }, "1×1 conv dW")
        FiniteDifferences.expectClose(db, FiniteDifferences.numerical(&b) { loss(x, w, $0) }, "1×1 conv db")
    }

    @Test func paddingIsAdjointOfUnpadding() {
        var rng = SeededRNG(seed: 4)
        let g = PaddedGrid(shape: [3, 4], padding: 2)
        let B = 2, C = 3
        let x = Self.random(B * g.points * C, &rng), y = Self.random(B * C * g.paddedPoints, &rng)
        var px = [Double](repeating: 0, count: y.count), uy = [Double](repeating: 0, count: x.count)
        g.pad(x, into: &px, batch: B, channels: C)
        g.unpad(y, into: &uy, batch: B, channels: C)
        // ⟨pad x, y⟩ = ⟨x, unpad y⟩, and unpad ∘ pad = identity.
        #expect(abs(FiniteDifferences.dot(px, y) - FiniteDifferences.dot(x, uy)) < 1e-12)
        var back = [Double](repeating: 0, count: x.count)
        g.unpad(px, into: &back, batch: B, channels: C)
        #expect(back == x)
        #expect(px.filter { $0 != 0 }.count == x.filter { $0 != 0 }.count)
    }

    /// The whole model (fc0 → pad → Fourier layers → unpad → fc1 → GELU → fc2), 1-D and 2-D:
    /// every parameter tensor (checked on a sample of its entries) and the input.
    @Test(arguments: [[9], [6, 5]]) func wholeModel(_ shape: [Int]) throws {
        var rng = SeededRNG(seed: 7)
        let config = FNOConfig(spatialShape: shape, inputChannels: 2, outputChannels: 2, width: 3, modes: 2, layers: 2,
                               padding: shape.count == 2 ? 2 : 1, projection: 4)
        let S = shape.reduce(1, *), B = 2
        let grid = (0..<(S * shape.count)).map { Double($0 % 7) / 7 }
        let model = try FNOModel<Double>(config: config, grid: grid, maxBatch: B)
        model.initialize(rng: &rng)
        // Larger spectral weights than the default init so that the Fourier branch matters.
        for e in model.parameters.entries where e.module.hasPrefix("conv") {
            model.parameters.values.set(e, Self.random(e.count, &rng, scale: 0.5))
        }
        var x = Self.random(B * S * 2, &rng)
        let r = Self.random(B * S * 2, &rng)
        let tape = model.makeTape(batch: B)
        func loss() -> Double {
            try! model.forward(x, tape: tape)
            return FiniteDifferences.dot(tape.output.array, r)
        }
        _ = loss()
        model.parameters.grads.zero()
        var dx = [Double](repeating: 0, count: x.count)
        try model.backward(r, tape: tape, dx: &dx)
        var probe = x
        let numericX = FiniteDifferences.numerical(&probe) { v in x = v; return loss() }
        x = probe
        FiniteDifferences.expectClose(dx, numericX, "FNO\(shape.count)d dx")
        for e in model.parameters.entries {
            let p = model.parameters.values[e]
            let picks = Array(Set((0..<min(6, e.count)).map { ($0 * 7919) % e.count })).sorted()
            var analytic: [Double] = [], numeric: [Double] = []
            for i in picks {
                analytic.append(model.parameters.grads[e][i])
                let saved = p[i]
                p[i] = saved + FiniteDifferences.h; let up = loss()
                p[i] = saved - FiniteDifferences.h; let down = loss()
                p[i] = saved
                numeric.append((up - down) / (2 * FiniteDifferences.h))
            }
            FiniteDifferences.expectClose(analytic, numeric, "FNO\(shape.count)d \(e.name)")
        }
    }
}
