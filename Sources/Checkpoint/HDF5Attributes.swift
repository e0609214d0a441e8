internal import CHDF5

/// Reading string attributes (call everything here with `HDF5Lock` held).
enum HDF5Attributes {
    /// Names of all attributes of object `obj`, in name order.
    static func namesLocked(_ obj: hid_t) -> [String] {
        final class Box { var names: [String] = [] }
        let box = Box()
        var index: hsize_t = 0
        _ = withExtendedLifetime(box) {
            H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
                if let name, let data {
                    Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
                }
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.names
    }

    /// The strings of attribute `name` of `obj`, fixed- or variable-length, scalar or array;
    /// nil if there is no such attribute or it is not of string type.
    ///
    /// Fixed-length values end at their first NUL; space-padded ones lose trailing spaces.
    /// Invalid UTF-8 is repaired with U+FFFD.
    /// - Throws: `CheckpointError(.hdf5)` if the attribute exists but cannot be read.
    static func stringsLocked(_ obj: hid_t, _ name: String, file: HDF5File, owner: String) throws -> (values: [String], scalar: Bool)? {
        guard H5Aexists(obj, name) > 0 else { return nil }
        let attr = H5Aopen(obj, name, htsr_H5P_DEFAULT())
        guard attr >= 0 else { throw file.errorLocked("cannot open attribute \(name) of", owner) }
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr)
        guard type >= 0 else { throw file.errorLocked("cannot get the type of attribute \(name) of", owner) }
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { return nil }
        let space = H5Aget_space(attr)
        guard space >= 0 else { throw file.errorLocked("cannot get the dataspace of attribute \(name) of", owner) }
        defer { H5Sclose(space) }
        let scalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count > 0 else { return ([], scalar) }
        // Values are stored in the file: a count or size the file cannot hold is a lie, refused
        // before anything is allocated (a variable-length string takes at least 16 bytes).
        let fileSize = file.sizeLocked()
        guard count <= fileSize / 16 else {
            throw file.error("attribute \(name) of \(owner) claims \(count) strings, more than the file holds")
        }
        // Variable-length strings are read as C strings; fixed-length ones as stored (same size
        // and padding, so a string filling its whole slot is not cut by a NUL terminator).
        let variable = H5Tis_variable_str(type) > 0
        let memType = H5Tcopy(variable ? htsr_H5T_C_S1() : type)
        guard memType >= 0 else { throw file.errorLocked("cannot create a string type for attribute \(name) of", owner) }
        defer { H5Tclose(memType) }
        if variable {
            H5Tset_size(memType, htsr_H5T_VARIABLE())
            H5Tset_cset(memType, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attr, memType, &pointers) >= 0 else { throw file.errorLocked("cannot read attribute \(name) of", owner) }
            defer { for p in pointers where p != nil { H5free_memory(p) } }
            return (pointers.map { $0.map { String(cString: $0) } ?? "" }, scalar)
        }
        let size = H5Tget_size(type)
        guard size > 0 else { return (Array(repeating: "", count: count), scalar) }
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, total <= fileSize else {
            throw file.error("attribute \(name) of \(owner) claims \(count) strings of \(size) bytes, more than the file holds")
        }
        let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
        var raw = [UInt8](repeating: 0, count: count * size)
        guard H5Aread(attr, memType, &raw) >= 0 else { throw file.errorLocked("cannot read attribute \(name) of", owner) }
        return ((0..<count).map { i in
            var bytes = raw[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
            if spacePadded { while bytes.last == 0x20 { bytes = bytes.dropLast() } }
            return String(decoding: bytes, as: UTF8.self)
        }, scalar)
    }

    /// A string-list attribute as Keras 2 writes it: `name` itself, or, when it was too large
    /// for one HDF5 attribute, the concatenation of `name0`, `name1`, ... ; nil if neither exists.
    static func kerasListLocked(_ obj: hid_t, _ name: String, file: HDF5File, owner: String) throws -> [String]? {
        if let whole = try stringsLocked(obj, name, file: file, owner: owner) { return whole.values }
        var parts: [String] = []
        var k = 0
        while let chunk = try stringsLocked(obj, "\(name)\(k)", file: file, owner: owner) {
            parts += chunk.values
            k += 1
        }
        return k == 0 ? nil : parts
    }

    /// All scalar string attributes of `obj` (e.g. `keras_version`, `backend`, `model_config`).
    static func scalarStringsLocked(_ obj: hid_t, file: HDF5File, owner: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in namesLocked(obj) {
            if let s = try stringsLocked(obj, name, file: file, owner: owner), s.scalar, let v = s.values.first {
                result[name] = v
            }
        }
        return result
    }
}
