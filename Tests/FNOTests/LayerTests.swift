import ComplexNumbers
import Foundation
import PDE
import Settings
import Testing
import Train
@testable import FNO

@Suite struct LayerTests {
    /// Weights δ_io (1 + 0i) on every retained mode pass those modes through unchanged, so a
    /// band-limited input (all its frequencies inside the corners) comes out as it went in; a
    /// frequency outside the corners is removed. 1-D and 2-D (both corners used: k₁ = ±2).
    @Test func identityWeightsReproduceBandLimitedInput() throws {
        let cases: [(shape: [Int], modes: [Int], inside: (Int, Int) -> Double, outside: (Int, Int) -> Double)] = [
            ([8], [3], { j, _ in 1 + cos(2 * .pi * Double(j) / 8) + 0.5 * sin(2 * .pi * 2 * Double(j) / 8) },
             { j, _ in cos(2 * .pi * 3 * Double(j) / 8) }),
            ([8, 10], [3, 3], { a, b in
                0.3 + cos(2 * .pi * (Double(a) / 8 + 2 * Double(b) / 10)) + 0.7 * sin(2 * .pi * (2 * Double(a) / 8 - Double(b) / 10))
            }, { a, b in sin(2 * .pi * (3 * Double(a) / 8 + Double(b) / 10)) }),
        ]
        for c in cases {
            let C = 2, S = c.shape.reduce(1, *)
            let conv = try SpectralConv<Double>(shape: c.shape, modes: c.modes, inChannels: C, outChannels: C, maxBatch: 1)
            let M = c.modes.reduce(1, *)
            var weights = [Double](repeating: 0, count: C * C * M * 2)
            for i in 0..<C { for k in 0..<M { weights[((i * C + i) * M + k) * 2] = 1 } }
            let corners = Array(repeating: weights, count: conv.corners.cornerCount)
            func point(_ s: Int) -> (Int, Int) { c.shape.count == 1 ? (s, 0) : (s / c.shape[1], s % c.shape[1]) }
            // Channel 0: band-limited; channel 1: band-limited plus an outside frequency.
            var x = [Double](repeating: 0, count: C * S)
            for s in 0..<S {
                let (a, b) = point(s)
                x[s] = c.inside(a, b)
                x[S + s] = 2 * c.inside(a, b) + c.outside(a, b)
            }
            var y = [Double](repeating: 0, count: C * S)
            let saved = UnsafeMutablePointer<Complex<Double>>.allocate(capacity: conv.blockCount(batch: 1))
            defer { saved.deallocate() }
            let pointers = corners.map { w -> UnsafeMutablePointer<Double> in
                let p = UnsafeMutablePointer<Double>.allocate(capacity: w.count); p.initialize(from: w, count: w.count); return p
            }
            defer { pointers.forEach { $0.deallocate() } }
            conv.forward(x, batch: 1, weights: pointers.map { UnsafePointer($0) }, into: &y, saving: saved)
            let worst0 = (0..<S).map { abs(y[$0] - x[$0]) }.max()!
            let worst1 = (0..<S).map { s -> Double in let (a, b) = point(s); return abs(y[S + s] - 2 * c.inside(a, b)) }.max()!
            #expect(worst0 < 1e-12, "\(c.shape): band-limited input changed by \(worst0)")
            #expect(worst1 < 1e-12, "\(c.shape): the outside frequency was not removed (\(worst1))")
        }
    }

    /// The parameter names and shapes are the reference module's.
    @Test func parameterNamesFollowTheReference() {
        let c2 = FNOConfig(spatialShape: [64, 64], inputChannels: 40, outputChannels: 4)
        let l2 = c2.parameterLayout
        #expect(l2.entries.map(\.name).prefix(5) == ["fc0.weight", "fc0.bias", "conv0.weights1", "conv0.weights2", "conv1.weights1"])
        #expect(l2["fc0.weight"]?.shape == [20, 42])
        #expect(l2["conv3.weights2"]?.shape == [20, 20, 12, 12, 2])
        #expect(l2["w0.weight"]?.shape == [20, 20, 1, 1])
        #expect(l2["fc1.weight"]?.shape == [128, 20])
        #expect(l2["fc2.weight"]?.shape == [4, 128])
        #expect(c2.padding == 2)
        // Parameter count equals PyTorch's FNO2d(4, 12, 12, 20, 10) (complex weights count twice).
        #expect(l2.count == 42 * 20 + 20 + 4 * 2 * 20 * 20 * 144 * 2 + 4 * (400 + 20) + 128 * 20 + 128 + 4 * 128 + 4)
        let c1 = FNOConfig(spatialShape: [128], inputChannels: 10, outputChannels: 1, width: 64, modes: 16)
        #expect(c1.padding == 0)
        #expect(c1.parameterLayout["conv0.weights1"]?.shape == [64, 64, 16, 2])
        #expect(c1.parameterLayout["conv0.weights2"] == nil)
        #expect(c1.parameterLayout["w0.weight"]?.shape == [64, 64, 1])
        #expect(c1.parameterLayout["fc0.weight"]?.shape == [64, 11])
    }

    @Test func modesThatDoNotFitAreRejected() {
        let c = FNOConfig(spatialShape: [16, 16], inputChannels: 1, outputChannels: 1, modes: 10)
        #expect(throws: InvalidSetting.self) { try c.validate() }
        #expect(throws: Never.self) { try FNOConfig(spatialShape: [16, 16], inputChannels: 1, outputChannels: 1, modes: 9).validate() }
    }
}

@Suite struct MetricTests {
    /// One channel, 4 points, frames 0 (context, not scored) and 1. Target frame 1 = [3, 4, 0, 0]:
    /// ‖y‖ = √(25/4) = 2.5. Prediction 0 → RMSE 2.5, nRMSE 1; prediction 1.1·y → RMSE 0.25,
    /// nRMSE 0.1. Two samples: the means, 1.375 and 0.55.
    @Test func pdebenchMetricsOnKnownValues() {
        let y: [Float] = [9, 3, 9, 4, 9, 0, 9, 0] // [S=4, T=2, C=1]: frame 0 = 9 everywhere
        let zero: [Float] = [-5, 0, -5, 0, -5, 0, -5, 0]
        let scaled: [Float] = [0, 3.3, 0, 4.4, 0, 0, 0, 0]
        var a = RegressionMetrics()
        a.add(prediction: zero, target: y, count: 1, points: 4, frames: 2, channels: 1, initialStep: 1)
        #expect(abs(a.rmse! - 2.5) < 1e-12 && abs(a.nrmse! - 1) < 1e-12)
        var b = RegressionMetrics()
        b.add(prediction: scaled, target: y, count: 1, points: 4, frames: 2, channels: 1, initialStep: 1)
        #expect(abs(b.rmse! - 0.25) < 1e-6 && abs(b.nrmse! - 0.1) < 1e-6)
        var both = RegressionMetrics()
        both.add(prediction: zero + scaled, target: y + y, count: 2, points: 4, frames: 2, channels: 1, initialStep: 1)
        #expect(both.samples == 2)
        #expect(abs(both.rmse! - 1.375) < 1e-6 && abs(both.nrmse! - 0.55) < 1e-6)
        #expect(RegressionMetrics().nrmse == nil)
    }

    /// Per channel: channel 0 exact, channel 1 off by its own norm → nRMSE (0 + 1)/2.
    @Test func channelsAreScoredSeparately() {
        // [S=2, T=2, C=2]; frame 1: ch0 = [1, 1], ch1 = [100, 0].
        let y: [Float] = [0, 0, 1, 100, 0, 0, 1, 0]
        let p: [Float] = [0, 0, 1, 0, 0, 0, 1, 0]
        var m = RegressionMetrics()
        m.add(prediction: p, target: y, count: 1, points: 2, frames: 2, channels: 2, initialStep: 1)
        #expect(abs(m.nrmse! - 0.5) < 1e-12)
        #expect(abs(m.rmse! - (0 + (10_000.0 / 2).squareRoot()) / 2) < 1e-9)
        #expect(m.channelNRMSE.count == 2 && abs(m.channelNRMSE[0]! - 0) < 1e-12 && abs(m.channelNRMSE[1]! - 1) < 1e-12)
        #expect(m.channelRMSE.count == 2 && abs(m.channelRMSE[1]! - (10_000.0 / 2).squareRoot()) < 1e-9)
        #expect(RegressionMetrics().channelNRMSE.isEmpty)
        // A channel whose targets are all zero has no nRMSE; the other keeps its own.
        var z = RegressionMetrics()
        z.add(prediction: p, target: [0, 0, 1, 0, 0, 0, 1, 0], count: 1, points: 2, frames: 2, channels: 2, initialStep: 1)
        #expect(z.channelNRMSE[0] == 0 && z.channelNRMSE[1] == nil && z.nrmse == 0)
    }

    /// Persistence holds the last context frame: [S=2, T=3, C=1] with frames 0, 1 context
    /// (K = 2) and frame 2 scored. Frame 1 = [3, 4], frame 2 = [6, 8] = 2 · frame 1: the held
    /// prediction is off by frame 1 itself, so nRMSE = ‖[3, 4]‖ / ‖[6, 8]‖ = 0.5 and
    /// RMSE = √(25/2). Frame 0 (not the last context frame) does not enter.
    @Test func persistenceHoldsTheLastContextFrame() {
        let y: [Float] = [100, 3, 6, -100, 4, 8] // point-major: [s][t]
        let m = y.withUnsafeBufferPointer {
            RegressionMetrics.persistence($0.baseAddress!, count: 1, points: 2, frames: 3, channels: 1, initialStep: 2)
        }
        #expect(abs(m.nrmse! - 0.5) < 1e-12)
        #expect(abs(m.rmse! - (25.0 / 2).squareRoot()) < 1e-9)
        // Two samples, the second constant in time: its persistence error is 0, the mean 0.25.
        let two = (y + [1, 5, 5, 2, 7, 7]).withUnsafeBufferPointer {
            RegressionMetrics.persistence($0.baseAddress!, count: 2, points: 2, frames: 3, channels: 1, initialStep: 2)
        }
        #expect(two.samples == 2 && abs(two.nrmse! - 0.25) < 1e-12)
    }
}
