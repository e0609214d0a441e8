internal import CHDF5

/// An HDF5 file open read-only for the lifetime of this object.
///
/// Every method takes `HDF5Lock` itself unless its name ends in `Locked`, which must be called
/// with the lock held (the loader does so while walking the file).
final class HDF5File: @unchecked Sendable {  // immutable id; every libhdf5 call takes HDF5Lock
    let path: String
    let id: hid_t

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    deinit {
        let id = self.id
        HDF5Lock.run { _ = H5Fclose(id) }
    }

    /// Opens `path` read-only (call with the lock held).
    /// - Throws: `CheckpointError(.hdf5)` with libhdf5's reason (e.g. a truncated file).
    static func openLocked(_ path: String) throws -> HDF5File {
        let id = H5Fopen(path, htsr_H5F_ACC_RDONLY(), htsr_H5P_DEFAULT())
        guard id >= 0 else {
            throw CheckpointError(.hdf5, file: path, message: "libhdf5 cannot open the file (corrupt or truncated?): \(HDF5Lock.lastErrorMessage())")
        }
        return HDF5File(path: path, id: id)
    }

    /// An error naming this file and `object`, with libhdf5's latest reason appended.
    func errorLocked(_ what: String, _ object: String) -> CheckpointError {
        CheckpointError(.hdf5, file: path, message: "\(what) '\(object)': \(HDF5Lock.lastErrorMessage())")
    }

    /// Reads the whole dataset at `dataset` (absolute path) converted to `T` by libhdf5.
    ///
    /// libhdf5 converts any stored integer or float type (any size or byte order, half
    /// precision included) and decompresses chunked/filtered datasets.
    /// - Throws: `CheckpointError(.hdf5)` naming the dataset if it cannot be opened or read, or
    ///   if its element count is no longer `count`.
    func read<T: BinaryFloatingPoint>(_ dataset: String, count: Int, memoryType: @escaping () -> hid_t,
                                      as _: T.Type) throws -> [T] {
        try HDF5Lock.run {
            let d = htsr_H5Dopen(id, dataset)
            guard d >= 0 else { throw errorLocked("cannot open dataset", dataset) }
            defer { H5Dclose(d) }
            let space = H5Dget_space(d)
            guard space >= 0 else { throw errorLocked("cannot get the dataspace of", dataset) }
            let points = H5Sget_simple_extent_npoints(space)
            H5Sclose(space)
            guard points == count else {
                throw CheckpointError(.hdf5, file: path, message: "dataset '\(dataset)' has \(points) elements, expected \(count)")
            }
            if count == 0 { return [] }
            var status: herr_t = 0
            let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                status = H5Dread(d, memoryType(), htsr_H5S_ALL(), htsr_H5S_ALL(), htsr_H5P_DEFAULT(), buffer.baseAddress)
                initialized = status < 0 ? 0 : count
            }
            guard status >= 0 else { throw errorLocked("cannot read dataset", dataset) }
            return values
        }
    }
}
