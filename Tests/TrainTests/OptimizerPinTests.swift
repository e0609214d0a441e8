import Foundation
import Testing
@testable import Train

/// Bit-exact pins of six steps of every optimizer configuration the trainers use, recorded with
/// the optimizers as they were before the shared update loop (commit 4b05d56): the refactor must
/// not move a single bit of the MLP's or the FNO's training. The fixture is three tensors (a
/// matrix, a bias, a norm scale) with per-tensor, per-step rates and gradients that depend on the
/// current weights (so momentum and moments interact with the decay).
@Suite struct OptimizerPinTests {
    static let names = ["fc.weight", "fc.bias", "ln.weight"]
    static let shapes = [[3, 4], [3], [3]]
    static let multipliers: [Float] = [1.0, 0.5, 1.5]

    static func fixture() -> ParameterSet<Float> {
        var layout = TensorLayout()
        for (n, s) in zip(names, shapes) { layout.add(n, s) }
        let p = ParameterSet<Float>(layout: layout)
        for i in 0..<layout.count { p.values.pointer[i] = Float(0.8 * sin(1.3 * Double(i) + 0.2)) }
        return p
    }

    /// g = 0.3·p + 0.1·cos(0.7·i + t), written into the gradient buffer.
    static func setGradients(_ p: ParameterSet<Float>, step t: Int) {
        for i in 0..<p.values.count {
            p.grads.pointer[i] = 0.3 * p.values.pointer[i] + Float(0.1 * cos(0.7 * Double(i) + Double(t)))
        }
    }

    /// Six steps; tensor k at step t moves with rate base · multipliers[k] · (1 + t/10).
    static func run(_ settings: OptimizerSettings, base: Float, decayAll: Bool = false) -> [UInt32] {
        let p = fixture()
        var optimizer = Self.make(settings, p, decayAll: decayAll)
        for t in 0..<6 {
            setGradients(p, step: t)
            step(&optimizer, p, multipliers.map { base * $0 * (1 + Float(t) / 10) })
        }
        return p.values.array.map(\.bitPattern)
    }

    static func settings(_ kind: OptimizerKind, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float) -> OptimizerSettings {
        var s = OptimizerSettings(kind: kind)
        s.momentum = momentum
        s.nesterov = nesterov
        s.weightDecay = weightDecay
        return s
    }
}
extension OptimizerPinTests {
    static func make(_ s: OptimizerSettings, _ p: ParameterSet<Float>, decayAll: Bool) -> Optimizer {
        s.make(layout: p.layout, decays: decayAll ? .all : .matrices)
    }
    static func step(_ o: inout Optimizer, _ p: ParameterSet<Float>, _ rates: [Float]) {
        o.step(p, learningRates: rates)
    }
}

extension OptimizerPinTests {
    struct Pin: Sendable, CustomTestStringConvertible {
        var name: String
        var settings: OptimizerSettings
        var base: Float
        var decayAll: Bool
        var bits: [UInt32]
        var testDescription: String { name }
    }

    static let pins: [Pin] = [
        Pin(name: "sgd", settings: settings(.sgd, weightDecay: 0), base: 0.1, decayAll: false, bits: [
                0x3e08faff, 0x3f22f8e5, 0x3e5605c1, 0xbf076091, 0xbf0011b7, 0x3e813e5b,
                0x3f215ab2, 0x3dafc610, 0xbf13e667, 0xbec58902, 0x3ec1d974, 0x3f172519,
                0xbd8de816, 0xbf34efc6, 0xbea03198, 0x3edb1043, 0x3ef82468, 0xbe208f3f,
            ]),
        Pin(name: "sgd-momentum-decay", settings: settings(.sgd, momentum: 0.9, weightDecay: 0.01), base: 0.1, decayAll: false, bits: [
                0x3d5e95ba, 0x3ea0503b, 0x3e0f0773, 0xbe47d398, 0xbe515797, 0x3dd34a02,
                0x3e7c852a, 0xbc0c54e6, 0xbe972bb4, 0xbe37ca56, 0x3e4a03c3, 0x3e9fcf2f,
                0xbccf02a9, 0xbf0378c2, 0xbe72fabf, 0x3ca9b0cc, 0x3cd1c5a0, 0xbd83bf76,
            ]),
        Pin(name: "sgd-nesterov-decay", settings: settings(.sgd, momentum: 0.9, nesterov: true, weightDecay: 0.01), base: 0.1, decayAll: false, bits: [
                0x3d6139ef, 0x3e7e5778, 0x3dd182d2, 0xbe2aab09, 0xbe32c9a9, 0x3d939ff0,
                0x3e4728dd, 0x3b965924, 0xbe5c6b63, 0xbe02f2f8, 0x3e2165f0, 0x3e72815f,
                0xbcf549de, 0xbef3e6d8, 0xbe617ade, 0xbb1621e0, 0x3c7b5830, 0xbc1d5ee0,
            ]),
        Pin(name: "adam-l2", settings: settings(.adam, weightDecay: 0.05), base: 0.01, decayAll: false, bits: [
                0x3de5c1d6, 0x3f39d7cb, 0x3e5815c9, 0xbf1543e1, 0xbf0c5401, 0x3e83071c,
                0x3f37bba2, 0x3d3f1739, 0xbf29d33c, 0xbed7f256, 0x3ecfd272, 0x3f2cb1f9,
                0xbd4cccc4, 0xbf4073c1, 0xbea2729a, 0x3efc738d, 0x3f0fee3a, 0xbe5f4fdd,
            ]),
        Pin(name: "adamw", settings: settings(.adamw, weightDecay: 0.05), base: 0.01, decayAll: false, bits: [
                0x3deaaf6d, 0x3f395231, 0x3e5d64d3, 0xbf14dba0, 0xbf0c0c11, 0x3e83eb59,
                0x3f371ad8, 0x3d434c03, 0xbf293f86, 0xbed7b72d, 0x3ed00403, 0x3f2c2f12,
                0xbd4cccc4, 0xbf4073c1, 0xbea2729a, 0x3efc738d, 0x3f0fee3a, 0xbe5f4fdd,
            ]),
        Pin(name: "adam-l2-all (FNO)", settings: settings(.adam, weightDecay: 1e-4), base: 5e-3, decayAll: true, bits: [
                0x3e0b6971, 0x3f432476, 0x3e77b66b, 0xbf1e7a8a, 0xbf156226, 0x3e95195f,
                0x3f413677, 0x3d9573ad, 0xbf3374f2, 0xbeeae517, 0x3ee18a66, 0x3f3626a6,
                0xbd7c1098, 0xbf44fc76, 0xbeaa29d4, 0x3f0c0614, 0x3f1d9080, 0xbe6cc6b4,
            ]),
    ]

    @Test(arguments: pins)
    func bitIdenticalToThePinnedSteps(_ pin: Pin) {
        let got = Self.run(pin.settings, base: pin.base, decayAll: pin.decayAll)
        #expect(got.count == pin.bits.count)
        #expect(got == pin.bits, "\(pin.name): \(got.map { String($0, radix: 16) })")
    }
}
