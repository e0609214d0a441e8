/// Opens one safetensors file (several files and shard indexes: `ShardIndex`).
enum SafetensorsLoader {
    /// One header's tensors, in ascending data offset.
    private static func tensors(of path: String) throws -> (header: SafetensorsHeader, tensors: [(info: TensorInfo, source: TensorSource)]) {
        let reader = FileReader(path: path)
        let header = try SafetensorsHeader.read(from: reader)
        let tensors = header.entries.map { e in
            (info: TensorInfo(name: e.name, dtype: e.dtype, shape: e.shape, file: path, layout: .pytorch),
             source: TensorSource.contiguous(reader: reader, offset: header.dataStart + e.begin))
        }
        return (header, tensors)
    }

    /// Opens one `.safetensors` file; tensors are in ascending data offset.
    static func loadFile(_ path: String) throws -> LoadedCheckpoint {
        let (header, tensors) = try tensors(of: path)
        return LoadedCheckpoint(format: .safetensors, tensors: tensors, metadata: header.metadata)
    }
}
