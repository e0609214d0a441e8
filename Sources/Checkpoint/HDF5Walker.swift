internal import CHDF5

/// A numeric dataset found in an HDF5 file.
struct HDF5Dataset: Equatable {
    /// Full path without the leading `/`, e.g. `dense/dense/kernel:0`.
    let path: String
    let dtype: DType
    let shape: [Int]
    /// Why the dataset cannot be read ("no stored data"), or nil.
    var unreadable: String? = nil
}

/// Recursive, deterministic listing of an HDF5 file's datasets (call with `HDF5Lock` held).
///
/// Only hard links are followed (soft and external links are skipped, so link cycles cannot
/// loop). Within a group, children come in creation order when the group tracks it; otherwise
/// datasets first, then a `vars` group, then other groups, each in natural name order (so Keras 3
/// `vars/2` precedes `vars/10` and a layer's own variables precede its sublayers').
struct HDF5Walker {
    static let maxDepth = 64

    let file: HDF5File
    /// Numeric datasets in walk order.
    private(set) var datasets: [HDF5Dataset] = []
    /// Paths of every dataset seen, numeric or not.
    private(set) var allDatasetPaths = Set<String>()
    /// Paths of every group seen.
    private(set) var groupPaths = Set<String>()

    init(file: HDF5File) { self.file = file }

    private enum ChildKind: Int { case dataset = 0, vars = 1, group = 2, other = 3 }

    /// Walks the group at `path` ("" for the root) and everything below it.
    /// - Throws: `CheckpointError(.hdf5)` naming the object libhdf5 failed on, or if groups nest
    ///   deeper than `maxDepth`.
    mutating func walkLocked(_ path: String, depth: Int = 0) throws {
        guard depth <= HDF5Walker.maxDepth else {
            throw file.error("groups nest deeper than \(HDF5Walker.maxDepth) levels at '\(path)'")
        }
        groupPaths.insert(path)
        let g = htsr_H5Gopen(file.id, "/" + path)
        guard g >= 0 else { throw file.errorLocked("cannot open group", "/" + path) }
        defer { H5Gclose(g) }
        for (name, kind) in try childrenLocked(g, path: path) {
            let child = path.isEmpty ? name : path + "/" + name
            switch kind {
            case .dataset:
                allDatasetPaths.insert(child)
                if let d = try inspectLocked(g, name: name, path: child) { datasets.append(d) }
            case .vars, .group:
                try walkLocked(child, depth: depth + 1)
            case .other:
                continue
            }
        }
    }

    private func childrenLocked(_ g: hid_t, path: String) throws -> [(String, ChildKind)] {
        var info = H5G_info_t()
        guard H5Gget_info(g, &info) >= 0 else { throw file.errorLocked("cannot list group", "/" + path) }
        var tracked = false
        let gcpl = H5Gget_create_plist(g)
        if gcpl >= 0 {
            var flags: UInt32 = 0
            if H5Pget_link_creation_order(gcpl, &flags) >= 0 { tracked = flags & UInt32(H5P_CRT_ORDER_TRACKED) != 0 }
            H5Pclose(gcpl)
        }
        let index = tracked ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        var children: [(String, ChildKind)] = []
        for i in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, i, nil, 0, htsr_H5P_DEFAULT())
            guard length >= 0 else { throw file.errorLocked("cannot read link names of group", "/" + path) }
            guard length <= 1 << 16 else {
                throw file.error("a link name of \(length) bytes in group '/\(path)'")
            }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            guard H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, i, &buffer, buffer.count, htsr_H5P_DEFAULT()) >= 0 else {
                throw file.errorLocked("cannot read link names of group", "/" + path)
            }
            let name = String(cString: buffer)
            guard htsr_H5L_is_hard(g, name) == 1 else { continue }
            let object = H5Oopen(g, name, htsr_H5P_DEFAULT())
            guard object >= 0 else { throw file.errorLocked("cannot open object", path.isEmpty ? name : path + "/" + name) }
            let type = H5Iget_type(object)
            H5Oclose(object)
            let kind: ChildKind = type == H5I_DATASET ? .dataset : type == H5I_GROUP ? (name == "vars" ? .vars : .group) : .other
            children.append((name, kind))
        }
        if tracked { return children }
        return children.sorted { a, b in
            a.1 != b.1 ? a.1.rawValue < b.1.rawValue : NaturalOrder.less(a.0, b.0)
        }
    }

    /// The dataset `name` of group `g` if its elements are integers or floats; nil for other
    /// element types (strings, compounds, enums such as h5py booleans, ...) and empty dataspaces.
    private func inspectLocked(_ g: hid_t, name: String, path: String) throws -> HDF5Dataset? {
        let d = htsr_H5Dopen(g, name)
        guard d >= 0 else { throw file.errorLocked("cannot open dataset", path) }
        defer { H5Dclose(d) }
        let type = H5Dget_type(d)
        guard type >= 0 else { throw file.errorLocked("cannot get the type of dataset", path) }
        defer { H5Tclose(type) }
        let dtype: DType
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            dtype = size <= 2 ? .F16 : size <= 4 ? .F32 : .F64
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) != H5T_SGN_NONE
            switch size {
            case 1: dtype = signed ? .I8 : .U8
            case 2: dtype = signed ? .I16 : .U16
            case 3, 4: dtype = signed ? .I32 : .U32
            default: dtype = signed ? .I64 : .U64
            }
        default:
            return nil
        }
        let space = H5Dget_space(d)
        guard space >= 0 else { throw file.errorLocked("cannot get the dataspace of", path) }
        defer { H5Sclose(space) }
        let spaceType = H5Sget_simple_extent_type(space)
        if spaceType == H5S_NULL { return nil }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw file.errorLocked("cannot get the rank of", path) }
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 {
            guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw file.errorLocked("cannot get the shape of", path) }
        }
        var shape: [Int] = []
        var count = 1
        for d in dims {
            guard d <= hsize_t(Int.max) else {
                throw file.error("dataset '\(path)' dimension \(d) is out of range")
            }
            let (p, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow else {
                throw file.error("dataset '\(path)' shape \(dims) overflows")
            }
            count = p
            shape.append(Int(d))
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(1, size))
        guard !overflow else { throw file.error("dataset '\(path)' shape \(dims) overflows") }
        let unreadable = try storageProblemLocked(d, path: path, bytes: bytes)
        return HDF5Dataset(path: path, dtype: dtype, shape: shape, unreadable: unreadable)
    }

    /// Checks that the file backs the `bytes` a dataset declares, before anything is allocated
    /// for it: contiguous data must lie inside the file; chunked data must have storage from
    /// which the bytes can come (as many bytes unfiltered; with filters, at most deflate's
    /// ratio of 1032 to 1, `Zlib.maximumRatio`); compact data at most 64 KiB (it lives in the
    /// object header). Data in external files and virtual datasets are refused: they would
    /// read other files.
    ///
    /// - Returns: "no stored data" for a dataset never written (nothing allocated), else nil.
    /// - Throws: `CheckpointError(.hdf5)` naming the dataset when the file cannot hold it.
    private func storageProblemLocked(_ d: hid_t, path: String, bytes: Int) throws -> String? {
        func fail(_ m: String) -> CheckpointError { file.error("dataset '\(path)' \(m)") }
        let dcpl = H5Dget_create_plist(d)
        guard dcpl >= 0 else { throw file.errorLocked("cannot get the creation properties of dataset", path) }
        defer { H5Pclose(dcpl) }
        var fileSize: hsize_t = 0
        guard H5Fget_filesize(file.id, &fileSize) >= 0 else { throw file.errorLocked("cannot get the size of the file holding", path) }
        if H5Pget_external_count(dcpl) > 0 { throw fail("keeps its data in external files, which are not read") }
        let storage = H5Dget_storage_size(d)
        switch H5Pget_layout(dcpl) {
        case H5D_COMPACT:
            guard bytes <= 1 << 16 else { throw fail("declares \(bytes) bytes in a compact layout (at most 65536 bytes)") }
            return nil
        case H5D_CONTIGUOUS:
            let offset = UInt64(H5Dget_offset(d))
            if offset == UInt64(htsr_HADDR_UNDEF()) { return bytes == 0 ? nil : "no stored data" }
            guard offset <= fileSize, UInt64(bytes) <= fileSize - offset else {
                throw fail("needs \(bytes) bytes at offset \(offset), past the end of the file (\(fileSize) bytes)")
            }
            return nil
        case H5D_CHUNKED:
            if bytes == 0 { return nil }
            if storage == 0 { return "no stored data" }
            guard storage <= fileSize else { throw fail("claims \(storage) bytes of storage in a file of \(fileSize) bytes") }
            let filtered = H5Pget_nfilters(dcpl) > 0
            let (bound, overflow) = Int(storage).multipliedReportingOverflow(by: filtered ? Zlib.maximumRatio : 1)
            guard overflow || bytes <= bound else {
                throw fail(filtered
                    ? "declares \(bytes) bytes but stores \(storage) compressed bytes (more than \(Zlib.maximumRatio) to 1)"
                    : "declares \(bytes) bytes but stores only \(storage)")
            }
            return nil
        default:
            throw fail("has a layout (virtual, or unknown) that is not read")
        }
    }
}
