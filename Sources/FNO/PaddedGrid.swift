import Train

/// The move between the FNO's two layouts: channels-last on the data grid ([B, S, C], what the
/// Linear layers fc0/fc1/fc2 see) and channels-first on the padded grid ([B, C, Sp], what the
/// Fourier layers see). Padding appends `padding` zeros at the end of every spatial axis
/// (PyTorch `F.pad(x, [0, p, 0, p])`, the reference FNO2d's treatment of non-periodic data);
/// unpadding keeps the leading `shape` block (`x[..., :-p, :-p]`).
public struct PaddedGrid: Sendable, Equatable {
    /// The data grid (`[X]` or `[X, Y]`).
    public let shape: [Int]
    public let padding: Int
    /// `shape` with `padding` added to every axis.
    public let paddedShape: [Int]
    /// Points of the data grid (S) and of the padded grid (Sp).
    public let points: Int
    public let paddedPoints: Int
    /// For each data-grid point (row-major), its index on the padded grid.
    public let paddedIndex: [Int]

    public init(shape: [Int], padding: Int) {
        precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 } && padding >= 0)
        self.shape = shape
        self.padding = padding
        paddedShape = shape.map { $0 + padding }
        points = shape.reduce(1, *)
        paddedPoints = paddedShape.reduce(1, *)
        var index = [Int](repeating: 0, count: points)
        var coordinate = [Int](repeating: 0, count: shape.count)
        for s in 0..<points {
            var p = 0
            for d in 0..<shape.count { p = p * paddedShape[d] + coordinate[d] }
            index[s] = p
            var d = shape.count - 1
            while d >= 0 {
                coordinate[d] += 1
                if coordinate[d] < shape[d] { break }
                coordinate[d] = 0
                d -= 1
            }
        }
        paddedIndex = index
    }

    /// out [B, C, Sp] = pad(transpose(x [B, S, C])); the padding is zero.
    public func pad<T: TrainScalar>(_ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, batch B: Int, channels C: Int) {
        let S = points, Sp = paddedPoints
        out.update(repeating: 0, count: B * C * Sp)
        paddedIndex.withUnsafeBufferPointer { idx in
            for b in 0..<B {
                let xb = x + b * S * C, ob = out + b * C * Sp
                for s in 0..<S {
                    let row = xb + s * C, p = idx[s]
                    for c in 0..<C { ob[c * Sp + p] = row[c] }
                }
            }
        }
    }

    /// out [B, S, C] = transpose(unpad(x [B, C, Sp])). Also the adjoint of `pad`.
    public func unpad<T: TrainScalar>(_ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, batch B: Int, channels C: Int) {
        let S = points, Sp = paddedPoints
        paddedIndex.withUnsafeBufferPointer { idx in
            for b in 0..<B {
                let xb = x + b * C * Sp, ob = out + b * S * C
                for s in 0..<S {
                    let row = ob + s * C, p = idx[s]
                    for c in 0..<C { row[c] = xb[c * Sp + p] }
                }
            }
        }
    }
}
