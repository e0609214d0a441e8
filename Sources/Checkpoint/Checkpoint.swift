/// A set of named tensors read from safetensors, PyTorch, GGUF or HDF5 / Keras files, loaded
/// one tensor at a time.
///
/// Opening reads only headers and HDF5 metadata; values are read on demand by `readDoubles` /
/// `readFloats`, which may be called concurrently from several threads.
public final class Checkpoint: Sendable {
    /// The path given to `open`.
    public let path: String
    public let format: CheckpointFormat
    /// Tensors in checkpoint order: ascending data offset within a safetensors file; the order
    /// of `weight_map` for a shard index; files in natural order for a folder; for Keras 2 the
    /// order of `layer_names`/`weight_names`; otherwise a deterministic walk (see `HDF5Walker`).
    public let tensors: [TensorInfo]
    /// safetensors `__metadata__` (merged over shards); HDF5 root scalar string attributes
    /// (`keras_version`, `backend`, `model_config`, ...).
    public let metadata: [String: String]
    /// The forward order the format itself records (Keras 2 `layer_names`), if any.
    public let nativeOrder: LayerOrder?

    let entries: [String: (info: TensorInfo, source: TensorSource)]

    init(path: String, loaded: LoadedCheckpoint) {
        self.path = path
        self.format = loaded.format
        self.tensors = loaded.tensors.map(\.info)
        self.metadata = loaded.metadata
        self.nativeOrder = loaded.nativeOrder
        self.entries = Dictionary(loaded.tensors.map { ($0.info.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Opens a .safetensors file, a *.safetensors.index.json, a folder (HF model folder: uses
    /// model.safetensors.index.json if present, else every *.safetensors in natural order; else a
    /// single .h5/.hdf5/.keras-weights file in it), or an HDF5 file (.h5, .hdf5, .weights.h5, or
    /// detected by the HDF5 signature). Format is detected by content (magic bytes), not extension only.
    ///
    /// A folder with one safetensors index other than `model.safetensors.index.json` uses it.
    /// Hidden files (names starting with `.`) in a folder are ignored, and subfolders are not searched.
    ///
    /// - Throws: `CheckpointError`: `.notFound` for a missing path; `.notACheckpoint` for content
    ///   that is neither safetensors nor HDF5 (the message says what it looks like), an empty
    ///   file or a folder without checkpoint files; `.unsupported` for a folder with several
    ///   index files or several HDF5 files; otherwise the kind of the first validation failure.
    ///
    /// Quantized weights of safetensors and PyTorch checkpoints (int8 + scale, bitsandbytes
    /// int8, GPTQ; see `QuantizedTensor`) are combined into one tensor `P.weight` per weight,
    /// read as `quantized` says (dequantized by default).
    public static func open(_ path: String, quantized: QuantizedMode = .dequantize) throws -> Checkpoint {
        var loaded: LoadedCheckpoint
        switch PathUtil.kind(path) {
        case .missing:
            throw CheckpointError(.notFound, file: path, message: "no such file or folder")
        case .directory:
            loaded = try FolderResolver.load(path)
        case .file, .other:
            loaded = try loadFile(path)
        }
        if [.safetensors, .safetensorsSharded, .pytorch, .pytorchSharded].contains(loaded.format) {
            loaded = try QuantizedTensors.combine(loaded, mode: quantized)
        }
        return Checkpoint(path: path, loaded: loaded)
    }

    /// Opens one file by its content; a JSON file is a shard index when `allowIndex`.
    static func loadFile(_ path: String, allowIndex: Bool = true) throws -> LoadedCheckpoint {
        let reader = FileReader(path: path)
        switch try FileSniffer.guess(reader, fileName: PathUtil.fileName(path)) {
        case .safetensors:
            return try SafetensorsLoader.loadFile(path)
        case .hdf5:
            return try HDF5Loader.load(path)
        case .json where allowIndex:
            return try loadIndex(path, reader: reader)
        case .json:
            throw CheckpointError(.invalidHeader, file: path, message: "a JSON file where a safetensors or PyTorch file was expected")
        case .zip:
            let zip = try ZipArchive(path: path, reader: reader)
            if TorchLoader.isTorchArchive(zip) { return try TorchLoader.load(path, zip: zip) }
            if KerasArchive.isKerasArchive(zip) { return try KerasArchive.load(path, zip: zip) }
            throw CheckpointError(.notACheckpoint, file: path, message: "not a checkpoint: a ZIP archive that is neither a PyTorch checkpoint (no data.pkl) nor a Keras .keras file (no model.weights.h5)")
        case .gguf:
            return try GGUFLoader.load(path)
        case .other(let description):
            throw CheckpointError(.notACheckpoint, file: path, message: "not a checkpoint: \(description)")
        }
    }

    /// Opens a JSON file as a safetensors shard index.
    /// - Throws: `.notACheckpoint` if it is not JSON with a `weight_map` object, or the index's errors.
    private static func loadIndex(_ path: String, reader: FileReader) throws -> LoadedCheckpoint {
        let size = try reader.size()
        guard size <= Int(SafetensorsHeader.maxHeaderLength) else {
            throw CheckpointError(.headerTooLarge, file: path, message: "index file of \(size) bytes exceeds the limit of \(SafetensorsHeader.maxHeaderLength)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(try reader.read(count: size, at: 0))
        } catch let e as JSONSyntaxError {
            if path.hasSuffix(".index.json") {
                throw CheckpointError(.invalidHeader, file: path, message: "index is not valid JSON: \(e.message) at byte \(e.offset)")
            }
            throw CheckpointError(.notACheckpoint, file: path, message: "not a checkpoint: a text file that is not valid JSON (\(e.message) at byte \(e.offset))")
        }
        guard case .object(let members) = json, members.contains(where: { $0.key == "weight_map" }) else {
            throw CheckpointError(.notACheckpoint, file: path, message: "not a checkpoint: a JSON file without a 'weight_map' (not a shard index)")
        }
        return try ShardIndex.load(path, json: json)
    }

    /// Checks `count` values of `bytesEach` bytes of tensor `info` against `MemoryBudget.current`
    /// (values converted from other types may pass through Doubles: at least 8 bytes each).
    static func checkBudget(_ info: TensorInfo, count: Int, bytesEach: Int) throws {
        try MemoryBudget.current.check(MemoryBudget.bytes(count, max(8, bytesEach)), for: "tensor '\(info.name)' of \(info.file)")
    }

    /// The model's forward order (see `LayerOrder`): the family that `config.json` in the
    /// folder or beside the file names; else the format's own (`nativeOrder`: Keras
    /// `layer_names`, a PyTorch state dict's order); for GGUF the llama.cpp tensor names'
    /// order; else natural name order (the result says which, and why).
    /// - Throws: `LayerOrderError` when that `config.json` is unreadable or malformed.
    public func forwardOrder() throws -> LayerOrder {
        let fromConfig = try LayerOrder.configFile(for: path).map(LayerOrder.fromConfig)
        if let order = fromConfig, order.method == .family { return order }
        if let nativeOrder { return nativeOrder }
        if format == .gguf { return .family(.gguf) }
        return fromConfig ?? .natural(note: "no config.json beside the checkpoint")
    }

    /// The tensor called `named`, or nil.
    public func tensor(named: String) -> TensorInfo? { entries[named]?.info }

    /// Reads one tensor, converted to Double, row-major in `info.shape`. Thread-safe: may be called
    /// concurrently from several threads (HDF5 calls serialised by a lock; safetensors via pread).
    ///
    /// - Throws: `CheckpointError(.notFound)` if `info` is not a tensor of this checkpoint;
    ///   `.truncated` / `.io` if the file changed or cannot be read; `.hdf5` for libhdf5 failures;
    ///   `MemoryBudgetError` if the values do not fit `MemoryBudget.current`.
    public func readDoubles(_ info: TensorInfo) throws -> [Double] {
        try read(info, as: Double.self)
    }

    /// Reads one tensor converted to Float, like `readDoubles` (F64 values round to nearest;
    /// magnitudes beyond Float's range become infinite).
    public func readFloats(_ info: TensorInfo) throws -> [Float] {
        try read(info, as: Float.self)
    }

    /// Streams one tensor as Doubles, in row-major order, in blocks of at most
    /// `elementsPerBlock` elements, so that a consumer (e.g. a Gram matrix accumulated over row
    /// blocks) never holds the whole tensor. safetensors data is read block by block; HDF5
    /// datasets are read whole (under the HDF5 lock) and then handed over in blocks.
    ///
    /// - Throws: as `readDoubles`, or what `body` throws.
    public func forEachBlock(_ info: TensorInfo, elementsPerBlock: Int,
                             _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        guard let entry = entries[info.name], entry.info == info else {
            throw CheckpointError(.notFound, file: info.file, message: "tensor '\(info.name)' is not part of the checkpoint \(path)")
        }
        switch entry.source {
        case .contiguous(let reader, let offset):
            try TensorReader.forEachBlock(reader, offset: offset, dtype: info.dtype, count: info.elementCount,
                                          elementsPerBlock: elementsPerBlock, body)
        case .gguf(let tensor) where info.unreadable == nil:
            try tensor.forEachBlock(elementsPerBlock: elementsPerBlock, body)
        default:
            try readDoubles(info).withUnsafeBufferPointer { try $0.forEachBlock(of: elementsPerBlock, body) }
        }
    }

    private func read<T: BinaryFloatingPoint>(_ info: TensorInfo, as type: T.Type) throws -> [T] {
        guard let entry = entries[info.name], entry.info == info else {
            throw CheckpointError(.notFound, file: info.file, message: "tensor '\(info.name)' is not part of the checkpoint \(path)")
        }
        try Self.checkBudget(info, count: info.elementCount, bytesEach: MemoryLayout<T>.size)
        switch entry.source {
        case .contiguous(let reader, let offset):
            return try TensorReader.read(reader, offset: offset, dtype: info.dtype, count: info.elementCount, as: type)
        case .hdf5(let file, let dataset):
            if let why = info.unreadable {
                throw CheckpointError(.unsupported, file: info.file, message: "tensor '\(info.name)': \(why)")
            }
            return try file.read(dataset, count: info.elementCount, as: type)
        default:
            return try entry.source.doubles(info).map { T($0) }
        }
    }
}
