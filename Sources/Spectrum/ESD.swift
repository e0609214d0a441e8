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
        self.matrices = matrices
        self.scale = matrices.kind == .conv2d ? convNorm : 1
        var values: [Double] = []
        values.reserveCapacity(matrices.eigenvalueCount)
        try matrices.forEachSlice(of: data) { slice in
            values += try SymmetricEigen.gramEigenvalues(slice, rows: matrices.rows, cols: matrices.cols)
        }
        let s = scale
        for i in values.indices { values[i] = max(0, values[i]) * s }
        values.sort()
        eigenvalues = values
    }

    /// Builds an ESD from eigenvalues computed elsewhere (sorted here; negatives set to 0).
    public init(eigenvalues: [Double], matrices: WeightMatrices, scale: Double = 1) {
        self.eigenvalues = eigenvalues.map { max(0, $0) }.sorted()
        self.scale = scale
        self.matrices = matrices
    }

    public var count: Int { eigenvalues.count }
    /// The largest eigenvalue, λmax (0 for an empty spectrum).
    public var lambdaMax: Double { eigenvalues.last ?? 0 }
    public var lambdaMin: Double { eigenvalues.first ?? 0 }

    /// The eigenvalues above `threshold` (`filter_zeros` uses 1e-5); all of them if none is.
    public func filtered(above threshold: Double) -> [Double] {
        let kept = eigenvalues.filter { $0 > threshold }
        return kept.isEmpty ? eigenvalues : kept
    }
}
