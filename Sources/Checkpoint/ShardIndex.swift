/// Opens a sharded checkpoint through its index (`{"metadata": {...}, "weight_map": {tensor: shard}}`):
/// `model.safetensors.index.json` or `pytorch_model.bin.index.json`, whose shards are
/// safetensors or PyTorch files (each recognised by its content).
enum ShardIndex {
    /// Tensors follow the order of `weight_map` as written in the JSON text. Shard paths are
    /// relative to the index's folder and must resolve inside it (no absolute paths, no `..`,
    /// no symbolic links leading out; see `PathUtil.contained`). Tensors that a shard holds but the map does not name are
    /// left out. Metadata: the index's `metadata` entries that are strings or numbers (numbers
    /// as written), then the shards' metadata (shards in natural name order) for keys not yet present.
    ///
    /// - Throws: `CheckpointError` of kind `.invalidHeader` (index not JSON, no `weight_map`, a
    ///   non-string shard name, a mapped tensor missing from its shard, or a shard that is
    ///   itself an index or not a safetensors/PyTorch file, a shard path leading out of the
    ///   folder), `.duplicateTensor` (a tensor mapped twice), `.missingShard` (naming the
    ///   shard, missing or a dangling link), or any shard's error.
    static func load(_ indexPath: String, json: JSONValue) throws -> LoadedCheckpoint {
        func invalid(_ message: String) -> CheckpointError {
            CheckpointError(.invalidHeader, file: indexPath, message: message)
        }
        guard case .object(let top) = json else { throw invalid("index is \(json.typeName), expected an object") }
        guard let mapValue = top.first(where: { $0.key == "weight_map" })?.value else { throw invalid("index has no 'weight_map'") }
        guard case .object(let map) = mapValue else { throw invalid("'weight_map' is \(mapValue.typeName), expected an object") }

        var metadata: [String: String] = [:]
        if case .object(let entries)? = top.first(where: { $0.key == "metadata" })?.value {
            for e in entries {
                switch e.value {
                case .string(let s): metadata[e.key] = s
                case .number(let n): metadata[e.key] = n
                default: break
                }
            }
        }

        // Linear in the map (an index may name 100,000 shards): sets and dictionaries, no scans.
        var shardOrder: [String] = []
        var firstTensor: [String: String] = [:]
        var mapped: [(tensor: String, shard: String)] = []
        var seen = Set<String>()
        for m in map {
            guard case .string(let shard) = m.value else { throw invalid("weight_map entry '\(m.key)' is \(m.value.typeName), expected a shard file name") }
            guard seen.insert(m.key).inserted else {
                throw CheckpointError(.duplicateTensor, file: indexPath, message: "tensor '\(m.key)' appears more than once in weight_map")
            }
            if firstTensor[shard] == nil {
                firstTensor[shard] = m.key
                shardOrder.append(shard)
            }
            mapped.append((m.key, shard))
        }

        let folder = PathUtil.directory(of: indexPath)
        var shardTensors: [String: [String: (info: TensorInfo, source: TensorSource)]] = [:]
        var formats = Set<CheckpointFormat>()
        for shard in NaturalOrder.sorted(shardOrder) {
            let user = firstTensor[shard]!
            let path: String
            switch PathUtil.contained(shard, in: folder) {
            case .success(let p)?:
                path = p
            case .failure(let e)?:
                throw CheckpointError(.invalidHeader, file: indexPath, message: "shard '\(shard)' (holding '\(user)') \(e.reason); shards must lie in the index's folder")
            case nil:
                let full = PathUtil.join(folder, shard)
                let what = PathUtil.isSymbolicLink(full) ? "is a dangling symbolic link" : "does not exist"
                throw CheckpointError(.missingShard, file: indexPath, message: "shard '\(shard)' (holding '\(user)') \(what) at \(full)")
            }
            let loaded = try Checkpoint.loadFile(path, allowIndex: false)
            guard loaded.format == .safetensors || loaded.format == .pytorch else {
                throw invalid("shard '\(shard)' is a \(loaded.format.rawValue) file; shards must be safetensors or PyTorch files")
            }
            formats.insert(loaded.format)
            shardTensors[shard] = Dictionary(loaded.tensors.map { ($0.info.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (k, v) in loaded.metadata where metadata[k] == nil { metadata[k] = v }
        }

        let ordered = try mapped.map { m -> (info: TensorInfo, source: TensorSource) in
            guard let t = shardTensors[m.shard]?[m.tensor] else {
                throw invalid("weight_map puts '\(m.tensor)' in '\(m.shard)', but that shard has no such tensor")
            }
            return t
        }
        let format: CheckpointFormat = formats == [.pytorch] ? .pytorchSharded : .safetensorsSharded
        return LoadedCheckpoint(format: format, tensors: ordered, metadata: metadata)
    }

    /// Opens several files (safetensors or PyTorch, by content) as one checkpoint: files in the
    /// given order, each file's tensors in its own order. Metadata maps are merged, earlier
    /// files winning on conflicting keys.
    ///
    /// - Throws: `CheckpointError(.duplicateTensor)` if two files hold the same tensor name,
    ///   or any error of the individual files.
    static func loadFiles(_ paths: [String]) throws -> LoadedCheckpoint {
        var all: [(info: TensorInfo, source: TensorSource)] = []
        var owner: [String: String] = [:]
        var metadata: [String: String] = [:]
        var formats = Set<CheckpointFormat>()
        for path in paths {
            let loaded = try Checkpoint.loadFile(path, allowIndex: false)
            formats.insert(loaded.format)
            for t in loaded.tensors {
                if let first = owner[t.info.name] {
                    throw CheckpointError(.duplicateTensor, file: path, message: "tensor '\(t.info.name)' is also in \(first)")
                }
                owner[t.info.name] = path
            }
            all += loaded.tensors
            metadata.merge(loaded.metadata) { old, _ in old }
        }
        let format: CheckpointFormat
        if paths.count == 1, let only = formats.first { format = only }
        else { format = formats == [.pytorch] ? .pytorchSharded : .safetensorsSharded }
        return LoadedCheckpoint(format: format, tensors: all, metadata: metadata)
    }
}
