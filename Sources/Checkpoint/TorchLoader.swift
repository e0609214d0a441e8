/// Opens PyTorch checkpoints written by `torch.save` since PyTorch 1.6: a ZIP archive holding
/// `<archive>/data.pkl` (the pickled object) and one raw little-endian storage per tensor in
/// `<archive>/data/<key>`.
///
/// The object is a state dict, or a dict holding one under `state_dict` or `model` (a training
/// checkpoint); its tensors are named by their dict keys (nested containers joined with `.`).
/// Tensors are views: a storage offset and strides into a storage that several tensors may
/// share. A contiguous view of a stored entry is read like a safetensors tensor (straight from
/// the file, in chunks); other views read the storage span they cover and gather it.
enum TorchLoader {
    /// The largest `data.pkl` accepted (a state dict's pickle is kilobytes to a few megabytes).
    static let maximumPickleBytes = 1 << 28

    /// Whether the archive looks like a PyTorch checkpoint (it has a `data.pkl`).
    static func isTorchArchive(_ zip: ZipArchive) -> Bool { pickleEntry(zip) != nil }

    private static func pickleEntry(_ zip: ZipArchive) -> ZipArchive.Entry? {
        zip.entries.first { $0.name == "data.pkl" || ($0.name.hasSuffix("/data.pkl") && !$0.name.dropLast(9).contains("/")) }
    }

    /// Every tensor of the state dict, in pickle order.
    ///
    /// - Throws: `CheckpointError`: `.notACheckpoint` without `data.pkl`; `.disallowedGlobal`
    ///   for a pickle naming a global outside the whitelist; `.invalidHeader` for a malformed
    ///   pickle, archive or a missing storage; `.unknownDType` for an unsupported storage type;
    ///   `.shapeMismatch` for a view outside its storage; `.unsupported` for a big-endian file.
    static func load(_ path: String, zip: ZipArchive) throws -> LoadedCheckpoint {
        guard let pickle = pickleEntry(zip) else {
            throw CheckpointError(.notACheckpoint, file: path, message: "a ZIP archive without data.pkl (not a PyTorch checkpoint)")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = zip.entry(named: prefix + "byteorder") {
            let text = String(decoding: try zip.data(of: order, limit: 64), as: UTF8.self)
            guard text.hasPrefix("little") else {
                throw CheckpointError(.unsupported, file: path, message: "the storages are \(text) byte order; only little-endian PyTorch files are read")
            }
        }
        var machine = PickleMachine(file: path, bytes: try zip.data(of: pickle, limit: maximumPickleBytes))
        defer { machine.release() }
        let root = try machine.run()
        let found = try collect(stateDict(root), budget: 16 * machine.bytes.count + 1024, file: path)

        var storages: [String: (entry: ZipArchive.Entry, offset: Int)] = [:]
        var seen = Set<String>()
        var tensors: [(info: TensorInfo, source: TensorSource)] = []
        for (name, ref) in found {
            guard seen.insert(name).inserted else {
                throw CheckpointError(.duplicateTensor, file: path, message: "two tensors are named '\(name)'")
            }
            if storages[ref.storageKey] == nil {
                guard let entry = zip.entry(named: prefix + "data/" + ref.storageKey) else {
                    throw CheckpointError(.invalidHeader, file: path, message: "storage '\(ref.storageKey)' of tensor '\(name)' is missing from the archive")
                }
                storages[ref.storageKey] = (entry, try zip.dataOffset(of: entry))
            }
            let (entry, dataOffset) = storages[ref.storageKey]!
            let view = try StridedView(ref, name: name, storageBytes: entry.size, file: path)
            let info = TensorInfo(name: name, dtype: ref.dtype, shape: ref.shape, file: path, layout: .pytorch)
            if view.isContiguous && entry.isStored {
                tensors.append((info, .contiguous(reader: zip.reader, offset: dataOffset + ref.offset * ref.dtype.byteSize)))
            } else {
                tensors.append((info, .strided(StridedTensor(zip: zip, entry: entry, view: view))))
            }
        }
        // A state dict lists a model's tensors as `state_dict()` does: the forward order.
        return LoadedCheckpoint(format: .pytorch, tensors: tensors, metadata: [:],
                                nativeOrder: .native(tensors.map(\.info.name), note: "PyTorch state_dict order"))
    }

    /// The state dict: the root, or its `state_dict` / `model` member when that is a dict
    /// holding tensors (training checkpoints also hold optimizer state, epochs, ...).
    static func stateDict(_ root: PickleValue) -> PickleValue {
        guard case .dict(let d) = root else { return root }
        for key in ["state_dict", "model"] {
            if let v = d.items.first(where: { if case .string(key) = $0.key { return true } else { return false } })?.value,
               case .dict(let inner) = v, inner.items.contains(where: { if case .tensor = $0.value { return true } else { return false } }) {
                return v
            }
        }
        return root
    }

    /// Depth-first walk of dicts, lists and tuples, naming tensors by their path (keys joined
    /// with `.`). Iterative, with each list or dict visited once (memo cycles end there) and
    /// at most `budget` values visited (shared tuples cannot blow the walk up).
    static func collect(_ root: PickleValue, budget: Int, file: String) throws -> [(String, TorchTensorReference)] {
        var found: [(String, TorchTensorReference)] = []
        var visited = Set<ObjectIdentifier>()
        var pending: [(PickleValue, String)] = [(root, "")]
        var steps = 0
        while let (value, name) = pending.popLast() {
            steps += 1
            guard steps <= budget else {
                throw CheckpointError(.invalidHeader, file: file, message: "data.pkl: the pickled object is larger than its pickle (shared references); refused")
            }
            func child(_ key: String) -> String { name.isEmpty ? key : name + "." + key }
            var children: [(PickleValue, String)] = []
            switch value {
            case .tensor(let ref): found.append((name, ref))
            case .dict(let d):
                guard visited.insert(ObjectIdentifier(d)).inserted else { continue }
                for (k, v) in d.items {
                    switch k {
                    case .string(let s): children.append((v, child(s)))
                    case .int(let i): children.append((v, child(String(i))))
                    default: children.append((v, child(PickleMachine.kind(k))))
                    }
                }
            case .list(let l):
                guard visited.insert(ObjectIdentifier(l)).inserted else { continue }
                for (i, v) in l.items.enumerated() { children.append((v, child(String(i)))) }
            case .tuple(let t):
                for (i, v) in t.items.enumerated() { children.append((v, child(String(i)))) }
            default: break
            }
            pending += children.reversed()
        }
        return found
    }
}

/// A tensor's view of its storage: element offset, shape and strides, all checked.
struct StridedView: Sendable {
    let dtype: DType
    let offset: Int
    let shape: [Int]
    let strides: [Int]
    /// Elements of the view (product of `shape`).
    let count: Int
    /// One past the last storage element the view touches (`offset` for an empty view).
    let end: Int

    /// - Throws: `CheckpointError(.shapeMismatch)` naming the tensor if sizes, strides or the
    ///   offset are negative or overflow, or the view reaches outside its storage (whose
    ///   declared element count must also fit in `storageBytes`).
    init(_ ref: TorchTensorReference, name: String, storageBytes: Int, file: String) throws {
        func bad(_ why: String) -> CheckpointError {
            CheckpointError(.shapeMismatch, file: file, message: "tensor '\(name)' (size \(ref.shape), stride \(ref.strides), offset \(ref.offset)): \(why)")
        }
        guard ref.shape.count == ref.strides.count else { throw bad("size and stride have different lengths") }
        guard ref.shape.allSatisfy({ $0 >= 0 }), ref.strides.allSatisfy({ $0 >= 0 }), ref.offset >= 0 else {
            throw bad("negative size, stride or offset")
        }
        let (storageBytesNeeded, o1) = ref.storageElements.multipliedReportingOverflow(by: ref.dtype.byteSize)
        guard !o1, storageBytesNeeded <= storageBytes else {
            throw bad("its storage declares \(ref.storageElements) \(ref.dtype.rawValue) elements but holds \(storageBytes) bytes")
        }
        var count = 1, reach = ref.offset
        for (n, s) in zip(ref.shape, ref.strides) {
            let (c, oc) = count.multipliedReportingOverflow(by: n)
            guard !oc else { throw bad("too many elements") }
            count = c
            if n > 0 {
                let (step, os) = (n - 1).multipliedReportingOverflow(by: s)
                let (r, or) = reach.addingReportingOverflow(step)
                guard !os, !or else { throw bad("reaches outside its storage") }
                reach = r
            }
        }
        guard count == 0 || reach < ref.storageElements else {
            throw bad("reaches element \(reach) of a storage of \(ref.storageElements)")
        }
        dtype = ref.dtype
        offset = ref.offset
        shape = ref.shape
        strides = ref.strides
        self.count = count
        end = count == 0 ? ref.offset : reach + 1
    }

    /// Row-major contiguous (dimensions of size 1 may have any stride).
    var isContiguous: Bool {
        var expected = 1
        for (n, s) in zip(shape, strides).reversed() where n != 1 {
            if s != expected { return false }
            expected *= n
        }
        return true
    }

    /// The view's elements in row-major order from `storage`, which holds the storage's
    /// elements `offset ..< end` (element `(i₀, …)` is `storage[Σ i_d · stride_d]`).
    func gather(_ storage: UnsafeBufferPointer<Double>) -> [Double] {
        if count == 0 { return [] }
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        var source = 0
        for k in 0..<count {
            out[k] = storage[source]
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                source += strides[d]
                if index[d] < shape[d] { break }
                source -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}

/// A tensor that is not a contiguous run of a stored ZIP entry: a strided view, or a view of
/// a deflated entry. Reading takes the storage span the view covers, converts it and gathers.
struct StridedTensor: @unchecked Sendable {   // ZipArchive holds a thread-safe FileReader and immutable lists
    let zip: ZipArchive
    let entry: ZipArchive.Entry
    let view: StridedView

    func readDoubles() throws -> [Double] {
        if view.count == 0 { return [] }
        let size = view.dtype.byteSize
        let span = view.end - view.offset
        var raw = [UInt8](repeating: 0, count: span * size)
        if entry.isStored {
            let start = try zip.dataOffset(of: entry)
            try raw.withUnsafeMutableBytes { try zip.reader.read(into: $0, at: start + view.offset * size) }
        } else {
            let all = try zip.data(of: entry)
            raw = Array(all[(view.offset * size)..<(view.end * size)])
        }
        let decoded = [Double](unsafeUninitializedCapacity: span) { out, initialized in
            raw.withUnsafeBytes { ScalarDecoding.decode($0, as: view.dtype, into: out.baseAddress!) }
            initialized = span
        }
        return decoded.withUnsafeBufferPointer { view.gather($0) }
    }
}
