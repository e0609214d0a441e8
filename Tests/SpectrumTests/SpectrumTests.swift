import Testing
import LinearAlgebra
@testable import Spectrum
#if canImport(Glibc)
import Glibc
#endif

/// The spec's sin-matrix: W[i][j] = sin(0.37·i·j + 0.11·i + 0.07·j), 64 × 128.
func specSinMatrix(rows: Int = 64, cols: Int = 128) -> [Double] {
    var w = [Double](repeating: 0, count: rows * cols)
    for i in 0..<rows { for j in 0..<cols {
        w[i * cols + j] = sin(0.37 * Double(i * j) + 0.11 * Double(i) + 0.07 * Double(j))
    } }
    return w
}

/// The spec's conv kernel: C[o][c][a][b] = sin(0.37·o·c + 0.11·(a+1)·o + 0.07·(b+1)·c + 0.05·a·b), 32×16×3×3.
func specConvKernel() -> [Double] {
    var k = [Double](repeating: 0, count: 32 * 16 * 9)
    for o in 0..<32 { for c in 0..<16 { for a in 0..<3 { for b in 0..<3 {
        let v = 0.37 * Double(o * c) + 0.11 * Double((a + 1) * o) + 0.07 * Double((b + 1) * c) + 0.05 * Double(a * b)
        k[((o * 16 + c) * 3 + a) * 3 + b] = sin(v)
    } } } }
    return k
}

func esd(_ data: [Double], kind: LayerKind, shape: [Int], layout: KernelLayout = .pytorch) throws -> ESD {
    try data.withUnsafeBufferPointer { try ESD(WeightMatrices(kind: kind, shape: shape, layout: layout), data: $0) }
}

func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

@Suite struct ESDCheckValues {
    @Test func sinMatrix() throws {
        let e = try esd(specSinMatrix(), kind: .linear, shape: [64, 128])
        #expect(e.count == 64)
        #expect(abs(e.lambdaMax - 146.144938) < 5e-7)
        #expect(abs(e.eigenvalues.reduce(0, +) - 4105.679917) < 5e-7)
        // Σλ = ‖W‖_F² exactly (up to rounding).
        let frob = specSinMatrix().reduce(0) { $0 + $1 * $1 }
        #expect(rel(e.eigenvalues.reduce(0, +), frob) < 1e-12)
    }

    @Test func convKernelPooledAndHalved() throws {
        let e = try esd(specConvKernel(), kind: .conv2d, shape: [32, 16, 3, 3])
        #expect(e.count == 144 && e.scale == 0.5)
        #expect(abs(e.lambdaMax - 15.284094) < 5e-7)
        #expect(abs(e.eigenvalues.reduce(0, +) - 1152.163550) < 5e-7)
    }

    @Test func kerasConvLayoutGivesTheSameSpectrum() throws {
        // Keras (kh, kw, in, out): K[a][b][c][o] = C[o][c][a][b].
        let c = specConvKernel()
        var k = [Double](repeating: 0, count: c.count)
        for o in 0..<32 { for ch in 0..<16 { for a in 0..<3 { for b in 0..<3 {
            k[((a * 3 + b) * 16 + ch) * 32 + o] = c[((o * 16 + ch) * 3 + a) * 3 + b]
        } } } }
        let torch = try esd(c, kind: .conv2d, shape: [32, 16, 3, 3])
        let keras = try esd(k, kind: .conv2d, shape: [3, 3, 16, 32], layout: .keras)
        #expect(keras.count == torch.count)
        for (x, y) in zip(keras.eigenvalues, torch.eigenvalues) { #expect(abs(x - y) <= 1e-12 * torch.lambdaMax) }
    }

    @Test func conv1dSlices() throws {
        // (out, in, k) = (4, 3, 2): slice t is W_t[o][c] = K[o][c][t]; pooled, not scaled.
        let k = (0..<24).map { Double($0 % 7) - 3 }
        let e = try esd(k, kind: .conv1d, shape: [4, 3, 2])
        #expect(e.count == 6 && e.scale == 1)
        var expected: [Double] = []
        for t in 0..<2 {
            let slice = (0..<12).map { k[$0 * 2 + t] }
            expected += try SymmetricEigen.gramEigenvalues(slice, rows: 4, cols: 3)
        }
        #expect(e.eigenvalues.count == expected.count)
        for (x, y) in zip(e.eigenvalues, expected.map { max(0, $0) }.sorted()) { #expect(abs(x - y) < 1e-12) }
    }
}

@Suite struct AnalyticSpectra {
    @Test func diagonalMatrixGivesSquaredDiagonal() throws {
        let d: [Double] = [3, 1e-3, 7, 0.5, 2]
        var w = [Double](repeating: 0, count: 5 * 8)
        for i in 0..<5 { w[i * 8 + i] = d[i] }
        let e = try esd(w, kind: .linear, shape: [5, 8])
        let expected = d.map { $0 * $0 }.sorted()
        #expect(e.eigenvalues.count == expected.count)
        for (x, y) in zip(e.eigenvalues, expected) { #expect(rel(x, y) < 1e-12) }
    }

    @Test func scaledOrthogonalMatrixHasOneEigenvalue() throws {
        // Householder reflector H = I − 2vvᵀ/‖v‖² is orthogonal; (cH)ᵀ(cH) = c²I.
        let n = 50, c = 1.7
        let v = (0..<n).map { sin(Double($0) + 1) }
        let vv = v.reduce(0) { $0 + $1 * $1 }
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { w[i * n + j] = c * ((i == j ? 1 : 0) - 2 * v[i] * v[j] / vv) } }
        let e = try esd(w, kind: .linear, shape: [n, n])
        for x in e.eigenvalues { #expect(rel(x, c * c) < 1e-13) }
    }
}

@Suite struct ClassifierTests {
    @Test func kinds() {
        #expect(LayerClassifier.classify(name: "encoder.layer.0.attention.self.query.weight", shape: [384, 384], isFloatingPoint: true) == .success(.linear))
        #expect(LayerClassifier.classify(name: "embeddings.word_embeddings.weight", shape: [30522, 384], isFloatingPoint: true) == .success(.embedding))
        #expect(LayerClassifier.classify(name: "transformer.wte.weight", shape: [50257, 768], isFloatingPoint: true) == .success(.embedding))
        #expect(LayerClassifier.classify(name: "embedding/embedding/embeddings:0", shape: [100, 8], isFloatingPoint: true) == .success(.embedding))
        #expect(LayerClassifier.classify(name: "conv1.weight", shape: [64, 3, 7, 7], isFloatingPoint: true) == .success(.conv2d))
        #expect(LayerClassifier.classify(name: "conv.weight", shape: [64, 3, 5], isFloatingPoint: true) == .success(.conv1d))
        #expect(LayerClassifier.classify(name: "embeddings.position_ids", shape: [1, 512], isFloatingPoint: false) == .failure(.notFloatingPoint))
        #expect(LayerClassifier.classify(name: "encoder.layer.0.output.LayerNorm.weight", shape: [384], isFloatingPoint: true) == .failure(.vector))
        #expect(LayerClassifier.classify(name: "optimizer.state.0.exp_avg", shape: [10, 10], isFloatingPoint: true) == .failure(.optimizerState))
        #expect(LayerClassifier.classify(name: "conv3d.weight", shape: [2, 2, 2, 2, 2], isFloatingPoint: true) == .failure(.unsupportedRank(5)))
        #expect(LayerClassifier.classify(name: "x", shape: [0, 3], isFloatingPoint: true) == .failure(.empty))
    }
}

@Suite struct StreamingTests {
    /// Accumulating WᵀW over row blocks gives the same spectrum as one Gram, to rounding.
    @Test(arguments: [1, 7, 64, 1000])
    func rowBlocksMatchTheWholeMatrix(rowsPerBlock: Int) throws {
        let rows = 300, cols = 40
        let w = (0..<(rows * cols)).map { sin(Double($0) * 0.37) + 0.1 * cos(Double($0 % 17)) }
        let m = WeightMatrices(kind: .linear, shape: [rows, cols], layout: .pytorch)
        #expect(ESD.canStream(m))
        let whole = try esd(w, kind: .linear, shape: [rows, cols])
        let streamed = try ESD.streaming(m, convNorm: 0.5) { body in
            try w.withUnsafeBufferPointer { p in
                var start = 0
                while start < p.count {
                    let end = min(p.count, start + rowsPerBlock * cols)
                    try body(UnsafeBufferPointer(rebasing: p[start..<end]))
                    start = end
                }
            }
        }
        guard case let .esd(s) = streamed else { Issue.record("unexpected non-finite"); return }
        #expect(s.eigenvalues.count == whole.eigenvalues.count)
        for (x, y) in zip(s.eigenvalues, whole.eigenvalues) { #expect(abs(x - y) <= 1e-13 * whole.lambdaMax) }
    }

    @Test func nonFiniteIsCounted() throws {
        var w = [Double](repeating: 1, count: 40)
        w[3] = .nan; w[11] = -.infinity
        let m = WeightMatrices(kind: .linear, shape: [10, 4], layout: .pytorch)
        let r = try ESD.streaming(m, convNorm: 0.5) { body in try w.withUnsafeBufferPointer { try body($0) } }
        guard case let .nonFinite(count) = r else { Issue.record("expected non-finite"); return }
        #expect(count == 2)
        #expect(w.withUnsafeBufferPointer(ESD.countNonFinite) == 2)
        #expect(!ESD.canStream(WeightMatrices(kind: .linear, shape: [4, 10], layout: .pytorch)))
        #expect(!ESD.canStream(WeightMatrices(kind: .conv2d, shape: [8, 4, 3, 3], layout: .pytorch)))
    }

    /// The eight-lane screen sees a bad value in every lane and in the scalar tail, and a huge
    /// finite value is not mistaken for one (x·0 = 0 for every finite x).
    @Test func nonFiniteScreenCoversEveryPosition() {
        for n in [0, 1, 7, 8, 9, 16, 23] {
            var w = (0..<n).map { Double($0) * 1e300 }
            #expect(w.withUnsafeBufferPointer(ESD.countNonFinite) == 0)
            for i in 0..<n {
                for bad in [Double.nan, .infinity, -.infinity] {
                    let keep = w[i]
                    w[i] = bad
                    #expect(w.withUnsafeBufferPointer(ESD.countNonFinite) == 1, "n \(n), position \(i), \(bad)")
                    w[i] = keep
                }
            }
        }
    }
}

/// Every path that computes a layer's spectrum applies the same conv2d scale
/// (`WeightMatrices.eigenvalueScale`): in memory, streamed (a 1×1 kernel is one tall slice),
/// randomised, FARMS and one slice at a time (`--no-pool`). A Keras 1×1 kernel (1, 1, 64, 64)
/// used to stream without the scale: eigenvalues 2× too large.
@Suite struct ConvScaleTests {
    struct Kernel: CustomStringConvertible, Sendable {
        let shape: [Int]
        let layout: KernelLayout
        var description: String { "\(layout.rawValue) \(shape)" }
        var matrices: WeightMatrices { WeightMatrices(kind: .conv2d, shape: shape, layout: layout) }
        var values: [Double] {
            (0..<shape.reduce(1, *)).map { (i: Int) -> Double in
                let x = Double(i)
                let a: Double = sin(0.37 * x + 0.11 * Double(i % 13))
                return a + 0.2 * cos(Double(i % 7))
            }
        }
    }

    static let kernels = [Kernel(shape: [1, 1, 64, 64], layout: .keras), Kernel(shape: [1, 1, 64, 128], layout: .keras),
                          Kernel(shape: [1, 1, 96, 64], layout: .keras), Kernel(shape: [64, 64, 1, 1], layout: .pytorch),
                          Kernel(shape: [32, 16, 3, 3], layout: .pytorch), Kernel(shape: [3, 3, 16, 32], layout: .keras)]

    @Test(arguments: kernels)
    func everyPathScalesAlike(kernel: Kernel) throws {
        let m = kernel.matrices, w = kernel.values, convNorm = 0.5
        #expect(m.eigenvalueScale(convNorm: convNorm) == convNorm)
        // Σλ = conv_norm · ‖W‖_F² (a Gram's eigenvalues sum to the squared Frobenius norm).
        let frobenius = w.reduce(0) { $0 + $1 * $1 }
        let inMemory = try w.withUnsafeBufferPointer { try ESD(m, data: $0, convNorm: convNorm) }
        #expect(rel(inMemory.eigenvalues.reduce(0, +), convNorm * frobenius) < 1e-12, "\(kernel): in memory")

        if ESD.canStream(m) {
            let streamed = try ESD.streaming(m, convNorm: convNorm) { body in try w.withUnsafeBufferPointer { try body($0) } }
            guard case let .esd(s) = streamed else { Issue.record("\(kernel): non-finite"); return }
            #expect(s.scale == convNorm)
            #expect(s.count == inMemory.count)
            for (x, y) in zip(s.eigenvalues, inMemory.eigenvalues) {
                #expect(abs(x - y) <= 1e-12 * inMemory.lambdaMax, "\(kernel): streamed \(x) vs \(y)")
            }
        }

        // A shuffle keeps ‖W‖_F, so the randomised spectrum has the same sum.
        let random = try w.withUnsafeBufferPointer { try Randomization.esd(m, data: $0, convNorm: convNorm, seed: 7) }
        #expect(rel(random.eigenvalues.reduce(0, +), convNorm * frobenius) < 1e-12, "\(kernel): randomised")

        // One FARMS window covering each whole slice gives the ESD itself.
        let whole = FARMSSettings(rows: m.rows, q: Double(m.cols) / Double(m.rows), ops: 1)
        let farms = try #require(try w.withUnsafeBufferPointer { try FARMS.spectrum(m, data: $0, convNorm: convNorm, settings: whole) })
        #expect(farms.eigenvalues.count == inMemory.count)
        for (x, y) in zip(farms.eigenvalues, inMemory.eigenvalues) {
            #expect(abs(x - y) <= 1e-12 * inMemory.lambdaMax, "\(kernel): FARMS \(x) vs \(y)")
        }

        // --no-pool: each slice on its own, pooled afterwards, is the ESD.
        var slices: [Double] = []
        try w.withUnsafeBufferPointer { p in
            for s in 0..<m.sliceCount {
                let one = m.slice(s, of: p)
                slices += try one.withUnsafeBufferPointer { try ESD(m.singleSlice, data: $0, convNorm: convNorm).eigenvalues }
            }
        }
        slices.sort()
        #expect(slices.count == inMemory.count)
        for (x, y) in zip(slices, inMemory.eigenvalues) {
            #expect(abs(x - y) <= 1e-12 * inMemory.lambdaMax, "\(kernel): one slice at a time \(x) vs \(y)")
        }
    }

    /// Other kinds are never scaled, whatever path.
    @Test func linearIsNotScaled() throws {
        let m = WeightMatrices(kind: .linear, shape: [64, 32], layout: .pytorch)
        #expect(m.eigenvalueScale(convNorm: 0.5) == 1)
        let w = specSinMatrix(rows: 64, cols: 32)
        let streamed = try ESD.streaming(m, convNorm: 0.5) { body in try w.withUnsafeBufferPointer { try body($0) } }
        guard case let .esd(s) = streamed else { Issue.record("non-finite"); return }
        #expect(rel(s.eigenvalues.reduce(0, +), w.reduce(0) { $0 + $1 * $1 }) < 1e-12)
    }
}
