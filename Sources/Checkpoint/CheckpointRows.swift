extension Checkpoint {
    /// Reads the rows `rows` of a tensor — a range along its first axis, e.g. samples
    /// `lo ..< hi` of a `(samples, t, x, y)` data set — converted to Float, row-major with shape
    /// `[rows.count] + shape.dropFirst()`. Only those rows are read: an HDF5 hyperslab (libhdf5
    /// decompresses just the chunks it needs) or a byte range of a safetensors file.
    ///
    /// - Throws: `CheckpointError(.notFound)` if `info` is not a tensor of this checkpoint,
    ///   `.shapeMismatch` for a scalar tensor or rows outside `0 ..< shape[0]`, and the read
    ///   errors of `readFloats`.
    public func readFloats(_ info: TensorInfo, rows: Range<Int>) throws -> [Float] {
        guard let entry = entries[info.name], entry.info == info else {
            throw CheckpointError(.notFound, file: info.file, message: "tensor '\(info.name)' is not part of the checkpoint \(path)")
        }
        guard let first = info.shape.first, rows.lowerBound >= 0, rows.upperBound <= first else {
            throw CheckpointError(.shapeMismatch, file: info.file,
                                  message: "tensor '\(info.name)' of shape \(info.shape) has no rows \(rows.lowerBound)..<\(rows.upperBound)")
        }
        let rowSize = info.shape.dropFirst().reduce(1, *)
        try Checkpoint.checkBudget(info, count: rows.count * rowSize, bytesEach: 4)
        switch entry.source {
        case .contiguous(let reader, let offset):
            return try TensorReader.read(reader, offset: offset + rows.lowerBound * rowSize * info.dtype.byteSize,
                                         dtype: info.dtype, count: rows.count * rowSize, as: Float.self)
        case .hdf5(let file, let dataset):
            if let why = info.unreadable {
                throw CheckpointError(.unsupported, file: info.file, message: "tensor '\(info.name)': \(why)")
            }
            return try file.readRows(dataset, shape: info.shape, rows: rows)
        default:
            return try entry.source.doubles(info)[(rows.lowerBound * rowSize)..<(rows.upperBound * rowSize)].map { Float($0) }
        }
    }
}
