import Foundation
import Random
import Testing
import Train
@testable import FNO

@Suite struct BalanceTests {
    static func model(width: Int = 20, outputs: Int = 4) throws -> FNOModel<Float> {
        let c = FNOConfig(spatialShape: [16, 16], inputChannels: 3, outputChannels: outputs, width: width, modes: 4)
        let grid = (0..<(256 * 2)).map { Double($0 % 16) / 16 }
        let m = try FNOModel<Float>(config: c, grid: grid, maxBatch: 1)
        var rng = SeededRNG(seed: 5)
        m.initialize(rng: &rng)
        return m
    }

    /// The reference selection: fc0, w0…w3, fc1 balanced (20 eigenvalues each); fc2 (4 × 128,
    /// 4 eigenvalues ≤ 12) and the spectral weights keep η; each balanced module's weight and
    /// bias get its sigmoid multiplier, by name.
    @Test func referenceSelectionAndRouting() throws {
        let m = try Self.model()
        let o = FNOBalanceOptions(s: 0.5)
        let spectra = FNOBalance.spectra(m.parameters, config: m.config, options: o)
        #expect(spectra.map(\.name) == ["fc0", "w0", "w1", "w2", "w3", "fc1", "fc2"])
        #expect(spectra.map(\.eigenvalues.count) == [5, 20, 20, 20, 20, 20, 4])
        let names = m.parameters.entries.map(\.name)
        let (decisions, k) = FNOBalance.decide(spectra, parameterNames: names, options: o)
        // fc0 here is 20 × 5 (3 inputs + 2 coordinates): 5 eigenvalues, excluded like fc2.
        #expect(decisions.filter { $0.excluded == nil }.map(\.name) == ["w0", "w1", "w2", "w3", "fc1"])
        #expect(decisions.first { $0.name == "fc2" }?.excluded == .fewEigenvalues)
        let balanced = decisions.filter { $0.excluded == nil }
        let expected = TempBalance.sigmoid(balanced.map { $0.metric! }, sMin: 0.5, sMax: 0.5, tau: 10)
        #expect(balanced.count == expected.count)
        for (d, e) in zip(balanced, expected) {
            #expect(abs(k[names.firstIndex(of: d.name + ".weight")!] - e) < 1e-12)
            #expect(abs(k[names.firstIndex(of: d.name + ".bias")!] - e) < 1e-12)
        }
        #expect(names.count == k.count)
        for (n, v) in zip(names, k) where n.hasPrefix("conv") || n.hasPrefix("fc2") || n.hasPrefix("fc0") { #expect(v == 1, "\(n)") }
        #expect(Set(k).count > 2)
    }

    /// With the spectral option the conv layers join (pooled per-mode spectra: 2 corners × 16
    /// modes × 20 = 640 eigenvalues) and their weights1/weights2 share the layer's multiplier.
    @Test func spectralOptionBalancesConvLayers() throws {
        let m = try Self.model()
        var o = FNOBalanceOptions(s: 1)
        o.includeSpectral = true
        o.filterZeros = false // the default init (scale 1/400) puts some per-mode eigenvalues below 1e-5
        let spectra = FNOBalance.spectra(m.parameters, config: m.config, options: o)
        #expect(spectra.map(\.name) == ["fc0", "conv0", "w0", "conv1", "w1", "conv2", "w2", "conv3", "w3", "fc1", "fc2"])
        #expect(spectra.first { $0.name == "conv0" }?.eigenvalues.count == 640)
        let names = m.parameters.entries.map(\.name)
        let (decisions, k) = FNOBalance.decide(spectra, parameterNames: names, options: o)
        let conv1 = decisions.first { $0.name == "conv1" }!
        #expect(conv1.excluded == nil)
        #expect(k[names.firstIndex(of: "conv1.weights1")!] == conv1.multiplier)
        #expect(k[names.firstIndex(of: "conv1.weights2")!] == conv1.multiplier)
    }

    /// The per-mode complex ESD: for a 2 × 2 complex matrix the eigenvalues of WᴴW sum to
    /// ‖W‖_F² and multiply to |det W|²; a diagonal matrix gives |a|², |b|².
    @Test func complexModeSpectrum() throws {
        // [I=2, O=2, m=1, 2]: W = [[1+2i, 0.5−i], [−0.3+0.4i, 2−0.5i]].
        let w: [Double] = [1, 2, 0.5, -1, -0.3, 0.4, 2, -0.5]
        let ev = try FNOBalance.spectralEigenvalues([(shape: [2, 2, 1, 2], values: w)])
        #expect(ev.count == 2)
        let frob = w.map { $0 * $0 }.reduce(0, +)
        // det = (1+2i)(2−0.5i) − (0.5−i)(−0.3+0.4i) = (3 + 3.5i) − (0.25 + 0.5i) = 2.75 + 3i
        let det2 = 2.75 * 2.75 + 3.0 * 3.0
        #expect(abs(ev[0] + ev[1] - frob) < 1e-12)
        #expect(abs(ev[0] * ev[1] - det2) < 1e-10)
        let diag = try FNOBalance.spectralEigenvalues([(shape: [2, 2, 1, 2], values: [3, 4, 0, 0, 0, 0, 0, 1])])
        #expect(abs(diag[0] - 1) < 1e-12 && abs(diag[1] - 25) < 1e-12)
    }

    /// The reference code's reading of a 1×1 conv (compatibility option): squared row norms.
    @Test func rowNormCompatibility() throws {
        let m = try Self.model(width: 20)
        let e = m.parameters.entry("w2.weight")
        var values = [Float](repeating: 0, count: e.count) // diag(1…20)
        for i in 0..<20 { values[i * 20 + i] = Float(i + 1) }
        m.parameters.values.set(e, values)
        var o = FNOBalanceOptions()
        o.convAnalysis = .rowNorms
        let rows = try FNOBalance.eigenvalues("w2", parameters: m.parameters, options: o)
        #expect(rows == (1...20).map { Double($0 * $0) })
        // Row norms differ from the matrix spectrum for a non-diagonal weight.
        var shear = [Float](repeating: 0, count: 400)
        for i in 0..<20 { shear[i * 20 + i] = 1; if i < 19 { shear[i * 20 + i + 1] = 1 } }
        m.parameters.values.set(e, shear)
        let rowSpectrum = try FNOBalance.eigenvalues("w2", parameters: m.parameters, options: o)
        o.convAnalysis = .matrix
        let matrixSpectrum = try FNOBalance.eigenvalues("w2", parameters: m.parameters, options: o)
        #expect(rowSpectrum.last == 2 && matrixSpectrum.last! > 3.9)
    }
}
