internal import CHDF5
import Foundation

/// The element types HDF5 datasets are read as (libhdf5 converts from the stored type).
enum HDF5Element: UInt8, Sendable {
    case float32 = 4, float64 = 8

    /// libhdf5's native memory type for this element.
    var memoryType: hid_t { self == .float32 ? htsr_H5T_NATIVE_FLOAT() : htsr_H5T_NATIVE_DOUBLE() }
    var byteSize: Int { Int(rawValue) }

    static func of<T: BinaryFloatingPoint>(_: T.Type) -> HDF5Element { T.self == Float.self ? .float32 : .float64 }
}

/// How errors about an HDF5 file name it: the file, and a prefix for the message
/// (`model.weights.h5: ` for the weights extracted from a `.keras` archive to a temporary file,
/// whose errors name the archive).
struct HDF5Origin: Sendable {
    var file: String
    var prefix = ""

    func error(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
        CheckpointError(kind, file: file, message: prefix + message)
    }

    func error(_ message: String) -> CheckpointError { error(.hdf5, message) }
}

/// Reads the datasets of one open HDF5 file: in this process (`HDF5File`) or in a worker
/// process (`HDF5WorkerFile`, see `HDF5Isolation`).
protocol HDF5Reader: AnyObject, Sendable {
    /// How errors name the file.
    var origin: HDF5Origin { get }
    /// The whole dataset at `dataset` (absolute path), `count` elements converted to `element`,
    /// written into `buffer` (`count × element.byteSize` bytes).
    func read(_ dataset: String, count: Int, as element: HDF5Element, into buffer: UnsafeMutableRawBufferPointer) throws
    /// Rows `rows` (along the first axis) of the dataset at `dataset` of shape `shape`,
    /// converted to `element`, into `buffer`.
    func readRows(_ dataset: String, shape: [Int], rows: Range<Int>, as element: HDF5Element,
                  into buffer: UnsafeMutableRawBufferPointer) throws
}

extension HDF5Reader {
    /// The whole dataset as `T` (Float or Double).
    /// - Throws: `CheckpointError(.hdf5)` naming the dataset if it cannot be opened or read, or
    ///   if its element count is no longer `count`.
    func read<T: BinaryFloatingPoint>(_ dataset: String, count: Int, as _: T.Type) throws -> [T] {
        if count == 0 { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(dataset, count: count, as: .of(T.self), into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Rows `rows` of the dataset, converted to Float.
    func readRows(_ dataset: String, shape: [Int], rows: Range<Int>) throws -> [Float] {
        let count = rows.count * shape.dropFirst().reduce(1, *)
        if count == 0 { return [] }
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try readRows(dataset, shape: shape, rows: rows, as: .float32, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }
}

/// An HDF5 file open read-only in this process, for the lifetime of this object.
///
/// Every method takes `HDF5Lock` itself unless its name ends in `Locked`, which must be called
/// with the lock held (the loader does so while walking the file).
final class HDF5File: HDF5Reader, @unchecked Sendable {   // immutable (origin, id, descriptor); every libhdf5 call takes HDF5Lock
    let origin: HDF5Origin
    let id: hid_t
    /// The descriptor checked to be a regular file; libhdf5 opened it through /proc/self/fd.
    private let descriptor: Int32

    private init(origin: HDF5Origin, id: hid_t, descriptor: Int32) {
        self.origin = origin
        self.id = id
        self.descriptor = descriptor
    }

    /// An error about this file (naming it as `origin` says).
    func error(_ message: String) -> CheckpointError { origin.error(message) }

    deinit {
        let id = self.id
        HDF5Lock.run { _ = H5Fclose(id) }
        close(descriptor)
    }

    /// Opens `path` read-only (call with the lock held). The file is opened first by
    /// `InputFile` (a regular file, or an error) and handed to libhdf5 as `/proc/self/fd/N`, so
    /// libhdf5 reads the very file that was checked.
    /// - Throws: `InputFile`'s errors; `CheckpointError(.hdf5)` with libhdf5's reason (e.g. a
    ///   truncated file).
    static func openLocked(_ path: String, origin: HDF5Origin? = nil) throws -> HDF5File {
        let origin = origin ?? HDF5Origin(file: path)
        let fd: Int32
        do { fd = try InputFile.open(path) } catch let e as CheckpointError { throw origin.error(e.kind, e.message) }
        let procPath = "/proc/self/fd/\(fd)"
        let id = H5Fopen(FileManager.default.fileExists(atPath: procPath) ? procPath : path, htsr_H5F_ACC_RDONLY(), htsr_H5P_DEFAULT())
        guard id >= 0 else {
            close(fd)
            throw origin.error("libhdf5 cannot open the file (corrupt or truncated?): \(HDF5Lock.lastErrorMessage())")
        }
        return HDF5File(origin: origin, id: id, descriptor: fd)
    }

    /// An error naming this file and `object`, with libhdf5's latest reason appended.
    func errorLocked(_ what: String, _ object: String) -> CheckpointError {
        error("\(what) '\(object)': \(HDF5Lock.lastErrorMessage())")
    }

    /// The file's size in bytes as libhdf5 sees it (0 if it cannot say).
    func sizeLocked() -> Int {
        var size: hsize_t = 0
        return H5Fget_filesize(id, &size) >= 0 ? Int(clamping: size) : 0
    }

    /// libhdf5 converts any stored integer or float type (any size or byte order, half
    /// precision included) and decompresses chunked/filtered datasets.
    func read(_ dataset: String, count: Int, as element: HDF5Element, into buffer: UnsafeMutableRawBufferPointer) throws {
        try HDF5Lock.run {
            let d = htsr_H5Dopen(id, dataset)
            guard d >= 0 else { throw errorLocked("cannot open dataset", dataset) }
            defer { H5Dclose(d) }
            let space = H5Dget_space(d)
            guard space >= 0 else { throw errorLocked("cannot get the dataspace of", dataset) }
            let points = H5Sget_simple_extent_npoints(space)
            H5Sclose(space)
            guard points == count else {
                throw error("dataset '\(dataset)' has \(points) elements, expected \(count)")
            }
            if count == 0 { return }
            guard buffer.count == count * element.byteSize,
                  H5Dread(d, element.memoryType, htsr_H5S_ALL(), htsr_H5S_ALL(), htsr_H5P_DEFAULT(), buffer.baseAddress) >= 0 else {
                throw errorLocked("cannot read dataset", dataset)
            }
        }
    }

    /// - Throws: `CheckpointError(.hdf5)` naming the dataset if it cannot be opened, is no
    ///   longer of `shape`, or cannot be read.
    func readRows(_ dataset: String, shape: [Int], rows: Range<Int>, as element: HDF5Element,
                  into buffer: UnsafeMutableRawBufferPointer) throws {
        let count = rows.count * shape.dropFirst().reduce(1, *)
        if count == 0 { return }
        try HDF5Lock.run {
            let d = htsr_H5Dopen(id, dataset)
            guard d >= 0 else { throw errorLocked("cannot open dataset", dataset) }
            defer { H5Dclose(d) }
            let space = H5Dget_space(d)
            guard space >= 0 else { throw errorLocked("cannot get the dataspace of", dataset) }
            defer { H5Sclose(space) }
            var dims = [hsize_t](repeating: 0, count: shape.count)
            guard Int(H5Sget_simple_extent_ndims(space)) == shape.count,
                  H5Sget_simple_extent_dims(space, &dims, nil) >= 0, dims.map({ Int(clamping: $0) }) == shape else {
                throw error("dataset '\(dataset)' is no longer of shape \(shape)")
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
            guard buffer.count == count * element.byteSize,
                  H5Dread(d, element.memoryType, memSpace, space, htsr_H5P_DEFAULT(), buffer.baseAddress) >= 0 else {
                throw errorLocked("cannot read rows of dataset", dataset)
            }
        }
    }
}
