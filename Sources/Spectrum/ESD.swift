import LinearAlgebra

/// The empirical spectral density of a layer: all eigenvalues of `WᵀW`, pooled over slices.
public struct ESD: Sendable {
    /// Eigenvalues, ascending, multiplied by `scale`; tiny negative round-off is set to 0.
    public let eigenvalues: [Double]
    /// The factor applied to every eigenvalue (the conv norm for convolutions, else 1).
    public let scale: Double
    public let matrices: WeightMatrices

    /// Computes the ESD of a layer's weights in double precision.
    ///
    /// For each slice, the Gram matrix of its smaller side (`dsyrk`) and its eigenvalues
    /// (`dsyevd`, values only): `min(rows, cols)` values per slice, no 1/N normalisation.
    /// Convolutions (conv2d) are scaled by `convNorm` (WeightWatcher's `conv2d_norm`, 0.5).
    ///
    /// - Parameter data: the tensor, row-major in `matrices.shape`.
    /// - Throws: `LinearAlgebraError` if LAPACK does not converge.
    public init(_ matrices: WeightMatrices, data: UnsafeBufferPointer<Double>, convNorm: Double = 0.5) throws {
        var values: [Double] = []
        values.reserveCapacity(matrices.eigenvalueCount)
        try matrices.forEachSlice(of: data) { slice in
            values += try SymmetricEigen.gramEigenvalues(slice, rows: matrices.rows, cols: matrices.cols)
        }
        self.init(gramEigenvalues: values, matrices: matrices, convNorm: convNorm)
    }

    /// The ESD from the eigenvalues of a layer's Gram matrices as LAPACK gives them: round-off
    /// below 0 set to 0, each multiplied by the layer's scale (`WeightMatrices.eigenvalueScale`),
    /// sorted. Every path that computes a layer's spectrum from its weights ends here.
    public init(gramEigenvalues values: [Double], matrices: WeightMatrices, convNorm: Double) {
        let s = matrices.eigenvalueScale(convNorm: convNorm)
        var v = values
        for i in v.indices { v[i] = max(0, v[i]) * s }
        v.sort()
        eigenvalues = v
        scale = s
        self.matrices = matrices
    }

    /// Whether `init(streaming:)` can compute this layer's ESD from row blocks: one slice with
    /// at least as many rows as columns, so that `WᵀW` is the small side.
    public static func canStream(_ matrices: WeightMatrices) -> Bool {
        matrices.sliceCount == 1 && matrices.rows >= matrices.cols
    }

    /// The outcome of a streamed computation: the ESD, or the count of non-finite weights.
    public enum Streamed: Sendable {
        case esd(ESD)
        case nonFinite(count: Int)
    }

    /// Computes the ESD of a tall single-slice layer from its rows, streamed in blocks, without
    /// holding the weights: `WᵀW = Σ_b W_bᵀW_b` accumulated with `dsyrk`, then `dsyevd`.
    ///
    /// Scaled like `init(_:data:convNorm:)` (a 1×1 convolution is one tall slice, and streams).
    ///
    /// - Parameters:
    ///   - convNorm: the conv2d scale (see `WeightMatrices.eigenvalueScale`).
    ///   - blocks: calls its argument with consecutive row-major blocks of whole rows
    ///     (each a multiple of `cols` elements) until the tensor is exhausted.
    /// - Returns: `.nonFinite` if any weight is NaN or infinite (the spectrum is then undefined).
    public static func streaming(_ matrices: WeightMatrices, convNorm: Double,
                                 blocks: ((UnsafeBufferPointer<Double>) throws -> Void) throws -> Void) throws -> Streamed {
        precondition(canStream(matrices), "streaming needs one slice with rows ≥ cols")
        let cols = matrices.cols
        var g = [Double](repeating: 0, count: cols * cols)
        var nonFinite = 0
        var seen = 0
        try blocks { block in
            precondition(block.count % cols == 0, "a block must hold whole rows")
            nonFinite += ESD.countNonFinite(block)
            if nonFinite == 0 { SymmetricEigen.accumulateGram(block, rows: block.count / cols, cols: cols, into: &g) }
            seen += block.count
        }
        precondition(seen == matrices.rows * cols, "the blocks do not cover the tensor")
        if nonFinite > 0 { return .nonFinite(count: nonFinite) }
        let values = try SymmetricEigen.eigenvalues(symmetric: &g, n: cols)
        return .esd(ESD(gramEigenvalues: values, matrices: matrices, convNorm: convNorm))
    }

    /// The number of NaN or infinite values. A sum of `x·0` (0 for finite x, NaN otherwise) in
    /// eight independent lanes screens the buffer (one scalar accumulator would be a serial
    /// chain of dependent additions, about 4 % of a MiniLM analysis); only a buffer that fails
    /// is counted element by element.
    public static func countNonFinite(_ values: UnsafeBufferPointer<Double>) -> Int {
        guard let base = values.baseAddress else { return 0 }
        let n = values.count, lanes = 8
        var screen = SIMD8<Double>()
        var i = 0
        while i + lanes <= n {
            screen += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Double>.self) * 0
            i += lanes
        }
        var tail = 0.0
        while i < n { tail += base[i] * 0; i += 1 }
        if screen.sum() + tail == 0 { return 0 }
        return values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
    }

    /// Builds an ESD from eigenvalues computed elsewhere and already scaled by `scale` (sorted
    /// here; negatives set to 0).
    public init(eigenvalues: [Double], matrices: WeightMatrices, scale: Double = 1) {
        self.eigenvalues = eigenvalues.map { max(0, $0) }.sorted()
        self.scale = scale
        self.matrices = matrices
    }

    public var count: Int { eigenvalues.count }
    /// The largest eigenvalue, λmax (0 for an empty spectrum).
    public var lambdaMax: Double { eigenvalues.last ?? 0 }
    public var lambdaMin: Double { eigenvalues.first ?? 0 }
}
