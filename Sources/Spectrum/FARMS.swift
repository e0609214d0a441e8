import LinearAlgebra

/// FARMS settings: windows of `rows × ⌊rows·q⌋` at `ops` positions per dimension.
public struct FARMSSettings: Sendable, Codable, Equatable {
    /// Rows per window, r (`num_row_samples`; the reference uses 2000 for LLM layers).
    public var rows: Int = 2000
    /// The window's aspect ratio (columns per row; the reference uses 1).
    public var q: Double = 1
    /// Window positions per dimension (`sampling_ops_per_dim`; 10 or 15 in the reference).
    public var ops: Int = 10

    public init(rows: Int = 2000, q: Double = 1, ops: Int = 10) {
        self.rows = rows
        self.q = q
        self.ops = ops
    }
}

/// Where the windows of one matrix lie.
public struct FARMSWindows: Sendable, Equatable {
    /// Rows and columns of every window.
    public var rows: Int
    public var cols: Int
    /// The first row and first column of the windows (every pair is a window).
    public var rowStarts: [Int]
    public var colStarts: [Int]
    public var count: Int { rowStarts.count * colStarts.count }
}

/// The pooled spectrum of a layer's windows.
public struct FARMSSpectrum: Sendable, Equatable {
    /// The squared singular values of every window, pooled, ascending, scaled like the ESD.
    public var eigenvalues: [Double]
    /// The window layout (the same for every slice).
    public var windows: FARMSWindows
    /// Windows over all slices.
    public var windowCount: Int
}

/// Fixed-Aspect-Ratio Matrix Subsampling (Hu, Goel, Killiakov and Yang, "Eigenspectrum
/// Analysis of Neural Networks without Aspect Ratio Bias", ICML 2025; reference code
/// `LLM_Pruning/lib/sampling.py`, `fixed_sampling`).
///
/// α depends on a layer's aspect ratio as well as on its training, so layers of different
/// shapes are not comparable; FARMS fits the pooled spectrum of equally shaped submatrices.
public enum FARMS {
    /// The window grid of a `rows × cols` matrix:
    ///
    ///     r = min(settings.rows, rows),  c = ⌊r·q⌋   (r reduced until c ≤ cols)
    ///     step_r = max(1, (rows − r) / (ops − 1))    (integer division; one position if ops = 1)
    ///     windows_r = min(ops, max(1, (rows − r) / step_r + 1)),  start_i = min(i·step_r, rows − r)
    ///
    /// and the same for columns with c. The reference takes `r = min(settings.rows, rows, cols)`
    /// and lets the column slice run short when `⌊r·q⌋ > cols` (which breaks the fixed aspect
    /// ratio and, through a negative start, wraps around); htsr shrinks r instead.
    /// - Returns: nil when no window with at least one row and column fits.
    public static func windows(rows: Int, cols: Int, settings: FARMSSettings) -> FARMSWindows? {
        guard rows > 0, cols > 0, settings.rows > 0, settings.q > 0, settings.ops > 0 else { return nil }
        var r = min(settings.rows, rows)
        while r > 0 && Int((Double(r) * settings.q).rounded(.down)) > cols { r -= 1 }
        let c = Int((Double(r) * settings.q).rounded(.down))
        guard r >= 1, c >= 1 else { return nil }
        func starts(_ size: Int, _ window: Int) -> [Int] {
            let ops = settings.ops
            let step = ops > 1 ? max(1, (size - window) / (ops - 1)) : max(1, size - window + 1)
            let count = min(ops, max(1, (size - window) / step + 1))
            return (0..<count).map { min($0 * step, size - window) }
        }
        return FARMSWindows(rows: r, cols: c, rowStarts: starts(rows, r), colStarts: starts(cols, c))
    }

    /// The pooled squared singular values of every window of every slice, multiplied by the
    /// layer's ESD scale (conv2d: `convNorm`, i.e. the reference's `submatrix *= √conv_norm`).
    /// - Returns: nil when no window fits.
    public static func spectrum(_ matrices: WeightMatrices, data: UnsafeBufferPointer<Double>, convNorm: Double,
                                settings: FARMSSettings) throws -> FARMSSpectrum? {
        guard let w = windows(rows: matrices.rows, cols: matrices.cols, settings: settings) else { return nil }
        let scale = matrices.eigenvalueScale(convNorm: convNorm)
        var values: [Double] = []
        values.reserveCapacity(w.count * matrices.sliceCount * min(w.rows, w.cols))
        var window = [Double](repeating: 0, count: w.rows * w.cols)
        try matrices.forEachSlice(of: data) { slice in
            for r0 in w.rowStarts {
                for c0 in w.colStarts {
                    for i in 0..<w.rows {
                        let src = (r0 + i) * matrices.cols + c0
                        for j in 0..<w.cols { window[i * w.cols + j] = slice[src + j] }
                    }
                    values += try SymmetricEigen.gramEigenvalues(window, rows: w.rows, cols: w.cols).map { max(0, $0) * scale }
                }
            }
        }
        values.sort()
        return FARMSSpectrum(eigenvalues: values, windows: w, windowCount: w.count * matrices.sliceCount)
    }
}
