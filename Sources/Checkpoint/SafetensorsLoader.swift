/// Opens safetensors checkpoints: one file, a list of files, or a shard index.
enum SafetensorsLoader {
    /// One header's tensors, in ascending data offset.
    private static func tensors(of path: String) throws -> (header: SafetensorsHeader, tensors: [(info: TensorInfo, source: TensorSource)]) {
        let reader = FileReader(path: path)
        let header = try SafetensorsHeader.read(from: reader)
        let tensors = header.entries.map { e in
            (info: TensorInfo(name: e.name, dtype: e.dtype, shape: e.shape, file: path, layout: .pytorch),
             source: TensorSource.safetensors(reader: reader, offset: header.dataStart + e.begin))
        }
        return (header, tensors)
    }

    /// Opens one `.safetensors` file; tensors are in ascending data offset.
    static func loadFile(_ path: String) throws -> LoadedCheckpoint {
        let (header, tensors) = try tensors(of: path)
        return LoadedCheckpoint(format: .safetensors, tensors: tensors, metadata: header.metadata)
    }

    /// Opens several `.safetensors` files as one checkpoint: files in the given order, each
    /// file's tensors in ascending data offset. `__metadata__` maps are merged, earlier files
    /// winning on conflicting keys.
    ///
    /// - Throws: `CheckpointError(.duplicateTensor)` if two files hold the same tensor name,
    ///   or any error of the individual files.
    static func loadFiles(_ paths: [String]) throws -> LoadedCheckpoint {
        var all: [(info: TensorInfo, source: TensorSource)] = []
        var owner: [String: String] = [:]
        var metadata: [String: String] = [:]
        for path in paths {
            let (header, tensors) = try tensors(of: path)
            for t in tensors {
                if let first = owner[t.info.name] {
                    throw CheckpointError(.duplicateTensor, file: path, message: "tensor '\(t.info.name)' is also in \(first)")
                }
                owner[t.info.name] = path
            }
            all += tensors
            metadata.merge(header.metadata) { old, _ in old }
        }
        return LoadedCheckpoint(format: paths.count == 1 ? .safetensors : .safetensorsSharded, tensors: all, metadata: metadata)
    }

    /// Opens a sharded checkpoint through its index (`{"metadata": {...}, "weight_map": {tensor: shard}}`).
    ///
    /// Tensors follow the order of `weight_map` as written in the JSON text. Shard paths are
    /// relative to the index's folder. Tensors that a shard holds but the map does not name are
    /// left out. Metadata: the index's `metadata` entries that are strings or numbers (numbers
    /// as written), then the shards' `__metadata__` (shards in natural name order) for keys not yet present.
    ///
    /// - Throws: `CheckpointError` of kind `.invalidHeader` (index not JSON, no `weight_map`, a
    ///   non-string shard name, or a mapped tensor missing from its shard), `.duplicateTensor`
    ///   (a tensor mapped twice), `.missingShard` (naming the shard), or any shard's error.
    static func loadIndex(_ indexPath: String, json: JSONValue) throws -> LoadedCheckpoint {
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

        var shardOrder: [String] = []
        var mapped: [(tensor: String, shard: String)] = []
        var seen = Set<String>()
        for m in map {
            guard case .string(let shard) = m.value else { throw invalid("weight_map entry '\(m.key)' is \(m.value.typeName), expected a shard file name") }
            guard seen.insert(m.key).inserted else {
                throw CheckpointError(.duplicateTensor, file: indexPath, message: "tensor '\(m.key)' appears more than once in weight_map")
            }
            if !shardOrder.contains(shard) { shardOrder.append(shard) }
            mapped.append((m.key, shard))
        }

        let folder = PathUtil.directory(of: indexPath)
        var shardTensors: [String: [String: (info: TensorInfo, source: TensorSource)]] = [:]
        for shard in NaturalOrder.sorted(shardOrder) {
            let path = PathUtil.join(folder, shard)
            guard PathUtil.isRegularFile(path) else {
                let user = mapped.first { $0.shard == shard }!.tensor
                throw CheckpointError(.missingShard, file: indexPath, message: "shard '\(shard)' (holding '\(user)') does not exist at \(path)")
            }
            let (header, tensors) = try tensors(of: path)
            shardTensors[shard] = Dictionary(tensors.map { ($0.info.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (k, v) in header.metadata where metadata[k] == nil { metadata[k] = v }
        }

        let ordered = try mapped.map { m -> (info: TensorInfo, source: TensorSource) in
            guard let t = shardTensors[m.shard]?[m.tensor] else {
                throw invalid("weight_map puts '\(m.tensor)' in '\(m.shard)', but that shard has no such tensor")
            }
            return t
        }
        return LoadedCheckpoint(format: .safetensorsSharded, tensors: ordered, metadata: metadata)
    }
}
