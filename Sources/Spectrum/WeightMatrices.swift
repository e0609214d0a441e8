/// The matrices a layer's weight tensor stands for.
///
/// A linear weight is one matrix. A convolution kernel is one matrix per kernel position:
/// PyTorch Conv2d `(out, in, kh, kw)` gives `kh·kw` slices `W_ab[o][c] = K[o][c][a][b]`;
/// Keras Conv2D `(kh, kw, in, out)` gives the same slices transposed, `K[a][b]` (contiguous);
/// Conv1d `(out, in, k)` / Keras `(k, in, out)` give `k` slices. Their eigenvalues are pooled.
public struct WeightMatrices: Sendable, Equatable {
    public let kind: LayerKind
    /// The stored shape.
    public let shape: [Int]
    public let layout: KernelLayout
    /// Rows and columns of each slice, as stored (`out × in` for PyTorch, `in × out` for Keras).
    public let rows: Int
    public let cols: Int
    /// Number of slices (1 for linear layers and embeddings).
    public let sliceCount: Int

    /// The larger and smaller dimension of a slice (WeightWatcher's N and M).
    public var N: Int { max(rows, cols) }
    public var M: Int { min(rows, cols) }
    /// Total number of eigenvalues, `M · sliceCount`.
    public var eigenvalueCount: Int { M * sliceCount }

    /// The factor applied to every eigenvalue of this layer: `convNorm` for a conv2d kernel
    /// (WeightWatcher's `conv2d_norm`, 0.5 by default; one slice of it under `--no-pool` too),
    /// 1 for every other kind. The one owner of the scale: every spectrum of a layer (its ESD in
    /// memory or streamed, its randomised ESD, its FARMS windows) is scaled by it.
    public func eigenvalueScale(convNorm: Double) -> Double { kind == .conv2d ? convNorm : 1 }

    /// The number of dimensions a tensor of `kind` has (linear and embedding 2, conv1d 3,
    /// conv2d 4): `init` needs exactly that many.
    public static func rank(of kind: LayerKind) -> Int {
        switch kind {
        case .linear, .embedding: return 2
        case .conv1d: return 3
        case .conv2d: return 4
        }
    }

    /// - Precondition: `shape.count == WeightMatrices.rank(of: kind)`.
    public init(kind: LayerKind, shape: [Int], layout: KernelLayout) {
        self.kind = kind
        self.shape = shape
        self.layout = layout
        switch (kind, layout) {
        case (.linear, _), (.embedding, _):
            (rows, cols, sliceCount) = (shape[0], shape[1], 1)
        case (.conv1d, .pytorch):
            (rows, cols, sliceCount) = (shape[0], shape[1], shape[2])
        case (.conv1d, .keras):
            (rows, cols, sliceCount) = (shape[1], shape[2], shape[0])
        case (.conv2d, .pytorch):
            (rows, cols, sliceCount) = (shape[0], shape[1], shape[2] * shape[3])
        case (.conv2d, .keras):
            (rows, cols, sliceCount) = (shape[2], shape[3], shape[0] * shape[1])
        }
    }

    private init(kind: LayerKind, shape: [Int], layout: KernelLayout, rows: Int, cols: Int, sliceCount: Int) {
        self.kind = kind
        self.shape = shape
        self.layout = layout
        self.rows = rows
        self.cols = cols
        self.sliceCount = sliceCount
    }

    /// The view of one slice of this layer on its own (`--no-pool`): the same kind, shape and
    /// slice dimensions, one slice, read from a contiguous `rows × cols` buffer (see `slice(_:of:)`).
    public var singleSlice: WeightMatrices {
        WeightMatrices(kind: kind, shape: shape, layout: layout, rows: rows, cols: cols, sliceCount: 1)
    }

    /// Slice `s` as a contiguous row-major `rows × cols` array.
    public func slice(_ s: Int, of data: UnsafeBufferPointer<Double>) -> [Double] {
        precondition(s >= 0 && s < sliceCount && data.count == rows * cols * sliceCount)
        let size = rows * cols
        if sliceCount == 1 || kind == .linear || kind == .embedding || layout == .keras {
            return Array(data[(s * size)..<((s + 1) * size)])
        }
        var out = [Double](repeating: 0, count: size)
        var src = s
        for e in 0..<size {
            out[e] = data[src]
            src += sliceCount
        }
        return out
    }

    /// Calls `body` with each slice as a contiguous row-major `rows × cols` buffer.
    ///
    /// Slices that are contiguous in storage (linear, Keras convolutions) are passed without a
    /// copy; PyTorch convolution slices are gathered into one reused buffer.
    public func forEachSlice(of data: UnsafeBufferPointer<Double>,
                             _ body: (UnsafeBufferPointer<Double>) throws -> Void) rethrows {
        precondition(data.count == rows * cols * sliceCount, "data does not match the shape")
        let size = rows * cols
        if kind == .linear || kind == .embedding || layout == .keras {
            for s in 0..<sliceCount {
                try body(UnsafeBufferPointer(rebasing: data[(s * size)..<((s + 1) * size)]))
            }
            return
        }
        // PyTorch (out, in, k...) with the kernel positions innermost: stride sliceCount.
        var buffer = [Double](repeating: 0, count: size)
        for s in 0..<sliceCount {
            buffer.withUnsafeMutableBufferPointer { b in
                var src = s
                for e in 0..<size {
                    b[e] = data[src]
                    src += sliceCount
                }
            }
            try buffer.withUnsafeBufferPointer { try body($0) }
        }
    }
}
