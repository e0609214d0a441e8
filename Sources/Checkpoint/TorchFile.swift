/// A tensor read from a PyTorch `.pt` file, with its values in row-major order.
public struct TorchTensor: Sendable, Equatable {
    /// Where the tensor sits in the pickled object: dict keys and list indices joined by `.`
    /// (`"x"`, `"model.layer.0.weight"`); `""` when the file holds a single tensor.
    public let name: String
    /// The storage's element type (`torch.FloatStorage` → `F32`, `BoolStorage` → `BOOL`, …).
    public let dtype: DType
    public let shape: [Int]
    /// The tensor's elements in row-major order of `shape` (PyTorch's strides and storage offset
    /// applied), converted to Double (BOOL → 0/1; 64-bit integers beyond 2⁵³ are rounded).
    public let values: [Double]
}

/// Reads every tensor of a PyTorch file written by `torch.save` (the zip format of PyTorch ≥ 1.6)
/// into memory, without PyTorch: `TorchLoader` through `Checkpoint`, for small data files (the
/// neuraloperator data sets). Checkpoints are better opened with `Checkpoint.open`, which reads
/// one tensor at a time.
public enum TorchFile {
    /// Every tensor in the file, in pickle order.
    /// - Throws: `CheckpointError`: `.notFound` for a missing file; `.notACheckpoint` if it is
    ///   not a ZIP archive or has no `data.pkl`; the errors of `TorchLoader.load` and of reading.
    public static func load(_ path: String) throws -> [TorchTensor] {
        guard PathUtil.kind(path) != .missing else { throw CheckpointError(.notFound, file: path, message: "no such file") }
        let checkpoint = try Checkpoint(path: path, loaded: TorchLoader.load(path, zip: try ZipArchive(path: path)))
        return try checkpoint.tensors.map {
            TorchTensor(name: $0.name, dtype: $0.dtype, shape: $0.shape, values: try checkpoint.readDoubles($0))
        }
    }
}
