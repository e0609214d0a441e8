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

/// Reads the tensors of a PyTorch file written by `torch.save` (the zip format of PyTorch ≥ 1.6:
/// `<archive>/data.pkl` plus one raw little-endian storage per tensor in `<archive>/data/<key>`),
/// without PyTorch.
///
/// The pickle is interpreted by a small machine that understands containers, numbers, strings
/// and the tensor rebuild functions and never executes code. Tensors may be views (any strides,
/// storage offsets, shared storages). Legacy (pre-1.6, non-zip) files are not supported.
public enum TorchFile {
    /// Every tensor in the file, in pickle order.
    /// - Throws: `CheckpointError`: `.notFound` for a missing file; `.notACheckpoint` if it is
    ///   not a ZIP archive or has no `data.pkl`; `.invalidHeader` for a malformed pickle or
    ///   archive; `.unknownDType` for an unsupported storage type; `.shapeMismatch` if a view
    ///   reaches outside its storage; `.unsupported` for compressed entries.
    public static func load(_ path: String) throws -> [TorchTensor] {
        guard PathUtil.kind(path) != .missing else { throw CheckpointError(.notFound, file: path, message: "no such file") }
        let zip = try ZipArchive(path: path)
        guard let pickleEntry = zip.entries.first(where: { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }) else {
            throw CheckpointError(.notACheckpoint, file: path, message: "a ZIP archive without data.pkl (not a PyTorch file)")
        }
        let prefix = String(pickleEntry.name.dropLast("data.pkl".count))
        var machine = PickleMachine(file: path, bytes: try zip.data(of: pickleEntry))
        let root = try machine.run()
        var found: [(String, TorchTensorReference)] = []
        collect(root, name: "", into: &found)
        var storages: [String: [Double]] = [:]
        return try found.map { name, ref in
            if storages[ref.storageKey] == nil {
                guard let entry = zip.entry(named: prefix + "data/" + ref.storageKey) else {
                    throw CheckpointError(.invalidHeader, file: path, message: "storage '\(ref.storageKey)' of tensor '\(name)' is missing from the archive")
                }
                let bytes = try zip.data(of: entry)
                guard bytes.count >= ref.storageElements * ref.dtype.byteSize else {
                    throw CheckpointError(.truncated, file: path, message: "storage '\(ref.storageKey)' holds \(bytes.count) bytes, fewer than \(ref.storageElements) \(ref.dtype.rawValue) elements")
                }
                let count = bytes.count / ref.dtype.byteSize
                storages[ref.storageKey] = [Double](unsafeUninitializedCapacity: count) { out, initialized in
                    bytes.withUnsafeBytes { ScalarDecoding.decode($0, as: ref.dtype, into: out.baseAddress!) }
                    initialized = count
                }
            }
            return TorchTensor(name: name, dtype: ref.dtype, shape: ref.shape,
                               values: try gather(storages[ref.storageKey]!, ref, name: name, path: path))
        }
    }

    /// Depth-first walk of dicts, lists, tuples and recorded calls, naming tensors by their path.
    private static func collect(_ value: PickleValue, name: String, into found: inout [(String, TorchTensorReference)]) {
        func child(_ key: String) -> String { name.isEmpty ? key : name + "." + key }
        switch value {
        case .tensor(let ref): found.append((name, ref))
        case .dict(let d):
            for (k, v) in d.items {
                let key: String
                switch k {
                case .string(let s): key = s
                case .int(let i): key = String(i)
                default: key = String(found.count)
                }
                collect(v, name: child(key), into: &found)
            }
        case .list(let l): for (i, v) in l.items.enumerated() { collect(v, name: child(String(i)), into: &found) }
        case .tuple(let t): for (i, v) in t.enumerated() { collect(v, name: child(String(i)), into: &found) }
        case .object(_, let args, let state):
            collect(args, name: name, into: &found)
            if let state { collect(state, name: name, into: &found) }
        default: break
        }
    }

    /// The view's elements in row-major order: element `(i₀, …, i_{r−1})` is
    /// `storage[offset + Σ i_d · stride_d]`.
    private static func gather(_ storage: [Double], _ ref: TorchTensorReference, name: String, path: String) throws -> [Double] {
        let count = ref.shape.reduce(1, *)
        guard ref.shape.count == ref.strides.count, ref.shape.allSatisfy({ $0 >= 0 }), ref.offset >= 0 else {
            throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(name)': size \(ref.shape) and stride \(ref.strides) disagree")
        }
        if count == 0 { return [] }
        let reach = ref.offset + zip(ref.shape, ref.strides).reduce(0) { $0 + ($1.0 - 1) * max($1.1, 0) }
        guard ref.strides.allSatisfy({ $0 >= 0 }), reach < min(storage.count, ref.storageElements) else {
            throw CheckpointError(.shapeMismatch, file: path,
                                  message: "tensor '\(name)' (size \(ref.shape), stride \(ref.strides), offset \(ref.offset)) reaches outside its storage of \(ref.storageElements) elements")
        }
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: ref.shape.count)
        var source = ref.offset
        for k in 0..<count {
            out[k] = storage[source]
            var d = ref.shape.count - 1
            while d >= 0 {
                index[d] += 1
                source += ref.strides[d]
                if index[d] < ref.shape[d] { break }
                source -= ref.strides[d] * ref.shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}
