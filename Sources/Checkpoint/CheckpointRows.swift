internal import CHDF5

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
        switch entry.source {
        case .contiguous(let reader, let offset):
            return try TensorReader.read(reader, offset: offset + rows.lowerBound * rowSize * info.dtype.byteSize,
                                         dtype: info.dtype, count: rows.count * rowSize, as: Float.self)
        case .hdf5(let file, let dataset):
            return try file.readRows(dataset, shape: info.shape, rows: rows)
        default:
            return try entry.source.doubles(info)[(rows.lowerBound * rowSize)..<(rows.upperBound * rowSize)].map { Float($0) }
        }
    }
}

extension HDF5File {
    /// Rows `rows` (along the first axis) of the dataset at `dataset`, converted to Float.
    /// - Throws: `CheckpointError(.hdf5)` naming the dataset if it cannot be opened, is no
    ///   longer of `shape`, or cannot be read.
    func readRows(_ dataset: String, shape: [Int], rows: Range<Int>) throws -> [Float] {
        let count = rows.count * shape.dropFirst().reduce(1, *)
        if count == 0 { return [] }
        return try HDF5Lock.run {
            let d = htsr_H5Dopen(id, dataset)
            guard d >= 0 else { throw errorLocked("cannot open dataset", dataset) }
            defer { H5Dclose(d) }
            let space = H5Dget_space(d)
            guard space >= 0 else { throw errorLocked("cannot get the dataspace of", dataset) }
            defer { H5Sclose(space) }
            var dims = [hsize_t](repeating: 0, count: shape.count)
            guard Int(H5Sget_simple_extent_ndims(space)) == shape.count,
                  H5Sget_simple_extent_dims(space, &dims, nil) >= 0, dims.map({ Int($0) }) == shape else {
                throw CheckpointError(.hdf5, file: path, message: "dataset '\(dataset)' is no longer of shape \(shape)")
            }
            var start = [hsize_t](repeating: 0, count: shape.count)
            start[0] = hsize_t(rows.lowerBound)
            var extent = dims
            extent[0] = hsize_t(rows.count)
            guard H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &extent, nil) >= 0 else {
                throw errorLocked("cannot select rows of", dataset)
            }
            let memSpace = H5Screate_simple(Int32(extent.count), &extent, nil)
            guard memSpace >= 0 else { throw errorLocked("cannot create a memory dataspace for", dataset) }
            defer { H5Sclose(memSpace) }
            var status: herr_t = 0
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                status = H5Dread(d, htsr_H5T_NATIVE_FLOAT(), memSpace, space, htsr_H5P_DEFAULT(), buffer.baseAddress)
                initialized = status < 0 ? 0 : count
            }
            guard status >= 0 else { throw errorLocked("cannot read rows of dataset", dataset) }
            return values
        }
    }
}
