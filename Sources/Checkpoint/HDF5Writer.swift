internal import CHDF5
import Foundation

/// Writes an HDF5 file of float32 datasets and string attributes, atomically.
///
/// Everything goes to a temporary file in the target's folder (`.<name>.<pid>.<uuid>.tmp`);
/// `commit()` closes it, flushes it to disk and renames it over `path`, so readers see either
/// the old file or the complete new one. If the writer is released (or `abort()` is called)
/// without a commit, the temporary file is removed and `path` is untouched; it is registered with
/// `TemporaryFiles`, so a process that installed its signal handlers also removes it when
/// interrupted.
///
/// Datasets are created with their full shape first and then filled block by block
/// (`write(_:block:start:)` selects a hyperslab), so a data set larger than memory can be
/// generated sample by sample. Datasets may be chunked and compressed with the byte-shuffle and
/// gzip (deflate) filters, which h5py, PyTorch data loaders and PDEBench's readers decode.
/// Every libhdf5 call runs under `HDF5Lock`; one writer must not be used from several threads
/// at once. Object modification times are not recorded, so the same content gives the same
/// bytes.
public final class HDF5Writer: @unchecked Sendable {  // mutable state; documented as single-threaded, libhdf5 calls under HDF5Lock
    /// The final path of the file.
    public let path: String
    private let temporaryPath: String
    private var file: hid_t
    private var datasets: [String: (id: hid_t, shape: [Int])] = [:]
    /// Dataset names in creation order: closing in a fixed order (not the dictionary's
    /// per-process hash order) flushes cached chunks in a fixed order, so files are reproducible.
    private var creationOrder: [String] = []
    private var finished = false
    private let cleanupSlot: Int?

    /// Creates the temporary file.
    /// - Throws: `CheckpointError(.io)` if the folder does not exist or is not writable,
    ///   `.hdf5` if libhdf5 cannot create the file.
    public init(path: String) throws {
        self.path = path
        let folder = PathUtil.directory(of: path)
        guard PathUtil.kind(folder) == .directory else {
            throw CheckpointError(.io, file: path, message: "the folder \(folder) does not exist")
        }
        temporaryPath = PathUtil.join(folder, ".\(PathUtil.fileName(path)).\(getpid()).\(UUID().uuidString).tmp")
        let temp = temporaryPath
        // Registered before the file exists, so no interruption can leave it behind.
        cleanupSlot = TemporaryFiles.register(temp)
        do {
            file = try HDF5Lock.run {
                let id = H5Fcreate(temp, htsr_H5F_ACC_TRUNC(), htsr_H5P_DEFAULT(), htsr_H5P_DEFAULT())
                guard id >= 0 else {
                    throw CheckpointError(.io, file: path, message: "cannot create a temporary HDF5 file in \(folder): \(HDF5Lock.lastErrorMessage())")
                }
                return id
            }
        } catch {
            TemporaryFiles.unregister(cleanupSlot)
            throw error
        }
    }

    deinit {
        abort()
        TemporaryFiles.unregister(cleanupSlot)
    }

    /// Creates a float32 (little-endian IEEE) dataset of `shape`, filled with zeros until written.
    ///
    /// - Parameters:
    ///   - chunk: chunk shape (same rank, each `1 … shape[d]`); nil stores the data contiguously.
    ///   - compressionLevel: gzip level 1…9 with byte shuffling; needs `chunk`. nil: uncompressed.
    /// - Throws: `CheckpointError(.shapeMismatch)` for an empty, negative or inconsistent shape
    ///   or chunk, `.duplicateTensor` for a name used twice, `.hdf5` for libhdf5 failures
    ///   (e.g. a name whose parent group does not exist).
    public func createDataset(_ name: String, shape: [Int], chunk: [Int]? = nil, compressionLevel: Int? = nil) throws {
        try checkOpen()
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else {
            throw CheckpointError(.shapeMismatch, file: path, message: "dataset '\(name)': invalid shape \(shape)")
        }
        if let chunk {
            guard chunk.count == shape.count, zip(chunk, shape).allSatisfy({ $0 >= 1 && $0 <= max($1, 1) }) else {
                throw CheckpointError(.shapeMismatch, file: path, message: "dataset '\(name)': chunk \(chunk) does not fit shape \(shape)")
            }
        }
        if let level = compressionLevel {
            guard chunk != nil, (1...9).contains(level) else {
                throw CheckpointError(.shapeMismatch, file: path, message: "dataset '\(name)': compression needs a chunk shape and a level 1…9")
            }
        }
        guard datasets[name] == nil else {
            throw CheckpointError(.duplicateTensor, file: path, message: "dataset '\(name)' is created twice")
        }
        let id: hid_t = try HDF5Lock.run {
            var dims = shape.map { hsize_t($0) }
            let space = H5Screate_simple(Int32(shape.count), &dims, nil)
            guard space >= 0 else { throw error("cannot create the dataspace of", name) }
            defer { H5Sclose(space) }
            let dcpl = H5Pcreate(htsr_H5P_DATASET_CREATE())
            guard dcpl >= 0 else { throw error("cannot create the properties of", name) }
            defer { H5Pclose(dcpl) }
            // No modification times in the object headers, so equal data give equal files.
            guard H5Pset_obj_track_times(dcpl, false) >= 0 else { throw error("cannot set the properties of", name) }
            if var c = chunk?.map({ hsize_t($0) }) {
                guard H5Pset_chunk(dcpl, Int32(c.count), &c) >= 0 else { throw error("cannot set the chunk shape of", name) }
            }
            if let level = compressionLevel {
                guard H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_DEFLATE)) > 0 else {
                    throw CheckpointError(.unsupported, file: path, message: "this libhdf5 has no gzip (deflate) filter")
                }
                guard H5Pset_shuffle(dcpl) >= 0, H5Pset_deflate(dcpl, UInt32(level)) >= 0 else {
                    throw error("cannot set the compression of", name)
                }
            }
            let d = htsr_H5Dcreate(file, name, htsr_H5T_IEEE_F32LE(), space, dcpl)
            guard d >= 0 else { throw error("cannot create dataset", name) }
            return d
        }
        datasets[name] = (id, shape)
        creationOrder.append(name)
    }

    /// Writes `block` (row-major, shape `count`) into dataset `name` at offset `start`; `count`
    /// defaults to the dataset's shape with the first axis `block.count / (product of the rest)`,
    /// i.e. a range of whole rows (samples).
    ///
    /// - Throws: `CheckpointError(.notFound)` for an unknown dataset, `.shapeMismatch` if the
    ///   block does not fit inside the dataset or its size is not the product of `count`,
    ///   `.hdf5` if libhdf5 fails.
    public func write(_ name: String, block: [Float], start: [Int], count: [Int]? = nil) throws {
        try checkOpen()
        guard let (id, shape) = datasets[name] else {
            throw CheckpointError(.notFound, file: path, message: "dataset '\(name)' was not created")
        }
        let rowSize = shape.dropFirst().reduce(1, *)
        let count = count ?? [rowSize == 0 ? 0 : block.count / rowSize] + shape.dropFirst()
        guard start.count == shape.count, count.count == shape.count,
              zip(zip(start, count), shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }),
              count.reduce(1, *) == block.count else {
            throw CheckpointError(.shapeMismatch, file: path,
                                  message: "dataset '\(name)' of shape \(shape): a block of \(block.count) values does not fit at \(start) with extent \(count)")
        }
        if block.isEmpty { return }
        try HDF5Lock.run {
            let fileSpace = H5Dget_space(id)
            guard fileSpace >= 0 else { throw error("cannot get the dataspace of", name) }
            defer { H5Sclose(fileSpace) }
            var s = start.map { hsize_t($0) }, c = count.map { hsize_t($0) }
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &s, nil, &c, nil) >= 0 else { throw error("cannot select a block of", name) }
            let memSpace = H5Screate_simple(Int32(c.count), &c, nil)
            guard memSpace >= 0 else { throw error("cannot create a memory dataspace for", name) }
            defer { H5Sclose(memSpace) }
            let status = block.withUnsafeBufferPointer {
                H5Dwrite(id, htsr_H5T_NATIVE_FLOAT(), memSpace, fileSpace, htsr_H5P_DEFAULT(), $0.baseAddress)
            }
            guard status >= 0 else { throw error("cannot write to dataset", name) }
        }
    }

    /// Creates dataset `name` and writes all of `values` (uncompressed, contiguous).
    public func writeDataset(_ name: String, shape: [Int], values: [Float]) throws {
        try createDataset(name, shape: shape)
        try write(name, block: values, start: shape.map { _ in 0 }, count: shape)
    }

    /// Sets a scalar UTF-8 string attribute on the root group (`dataset == nil`) or on a dataset
    /// created by this writer.
    /// - Throws: `.notFound` for an unknown dataset, `.hdf5` if libhdf5 fails (e.g. a repeated name).
    public func setAttribute(_ name: String, _ value: String, on dataset: String? = nil) throws {
        try checkOpen()
        var owner = file
        if let dataset {
            guard let d = datasets[dataset] else {
                throw CheckpointError(.notFound, file: path, message: "dataset '\(dataset)' was not created")
            }
            owner = d.id
        }
        try HDF5Lock.run {
            // A variable-length UTF-8 string, which h5py reads back as `str`.
            let type = H5Tcopy(htsr_H5T_C_S1())
            guard type >= 0 else { throw error("cannot create a string type for attribute", name) }
            defer { H5Tclose(type) }
            guard H5Tset_size(type, htsr_H5T_VARIABLE()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
                throw error("cannot create a string type for attribute", name)
            }
            let space = H5Screate(H5S_SCALAR)
            guard space >= 0 else { throw error("cannot create the dataspace of attribute", name) }
            defer { H5Sclose(space) }
            let attr = htsr_H5Acreate(owner, name, type, space)
            guard attr >= 0 else { throw error("cannot create attribute", name) }
            defer { H5Aclose(attr) }
            let status = value.withCString { p -> herr_t in
                var pointers: [UnsafePointer<CChar>?] = [p]
                return H5Awrite(attr, type, &pointers)
            }
            guard status >= 0 else { throw error("cannot write attribute", name) }
        }
    }

    /// Closes the file, flushes it to disk and renames it to `path` (replacing any file there).
    /// - Throws: `.hdf5` if libhdf5 cannot close the file, `.io` if the flush or rename fails;
    ///   in both cases the temporary file is removed and `path` is untouched.
    public func commit() throws {
        try checkOpen()
        finished = true
        let closed = HDF5Lock.run { () -> Bool in
            var ok = true
            for name in creationOrder where H5Dclose(datasets[name]!.id) < 0 { ok = false }
            datasets = [:]
            if H5Fclose(file) < 0 { ok = false }
            return ok
        }
        guard closed else {
            unlink(temporaryPath)
            throw CheckpointError(.hdf5, file: path, message: "libhdf5 could not close the file: \(HDF5Lock.run { HDF5Lock.lastErrorMessage() })")
        }
        let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        let synced = fd >= 0 && fsync(fd) == 0
        if fd >= 0 { close(fd) }
        guard synced, rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw CheckpointError(.io, file: path, message: "cannot move the written file into place: \(reason)")
        }
    }

    /// Discards the file: closes it and removes the temporary file (no effect after `commit`).
    public func abort() {
        guard !finished else { return }
        finished = true
        HDF5Lock.run {
            for name in creationOrder { H5Dclose(datasets[name]!.id) }
            datasets = [:]
            H5Fclose(file)
        }
        unlink(temporaryPath)
    }

    private func checkOpen() throws {
        guard !finished else { throw CheckpointError(.io, file: path, message: "the writer was already committed or aborted") }
    }

    /// An `.hdf5` error naming `object`, with libhdf5's reason (call with the lock held).
    private func error(_ what: String, _ object: String) -> CheckpointError {
        CheckpointError(.hdf5, file: path, message: "\(what) '\(object)': \(HDF5Lock.lastErrorMessage())")
    }
}
