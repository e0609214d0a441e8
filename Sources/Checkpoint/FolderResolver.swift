import Foundation

/// Picks the checkpoint files of a folder (a Hugging Face model folder, a Keras export, a
/// folder holding a GGUF file).
enum FolderResolver {
    /// Opens the checkpoint in folder `path`, trying in turn:
    /// 1. `model.safetensors.index.json`, else the only `*.safetensors.index.json`;
    /// 2. every `*.safetensors` file, in natural order (`model-00002-of-00010` before `model-00010-of-00010`);
    /// 3. `pytorch_model.bin.index.json`, else the only `*.bin.index.json`;
    /// 4. every `pytorch_model*.bin` file in natural order, else the only `.bin` / `.pt` / `.pth`
    ///    file (Hugging Face folders also hold `training_args.bin`, which is not a model);
    /// 5. the only `.gguf`, `.keras`, or `.h5` / `.hdf5` file (e.g. `model.weights.h5`).
    ///
    /// Hidden files are ignored and subfolders are not searched.
    /// - Throws: `CheckpointError(.notACheckpoint)` for an empty folder or one without any of
    ///   these (the message lists a few of its files); `.unsupported` if several index files or
    ///   several candidate files make the choice ambiguous; otherwise the chosen files' errors.
    static func load(_ path: String) throws -> LoadedCheckpoint {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CheckpointError(.io, file: path, message: "cannot list folder: \(error.localizedDescription)")
        }
        let files = NaturalOrder.sorted(names.filter { !$0.hasPrefix(".") && PathUtil.isRegularFile(PathUtil.join(path, $0)) })
        func join(_ name: String) -> String { PathUtil.join(path, name) }

        if let index = try pickIndex(files, preferred: "model.safetensors.index.json", suffix: ".safetensors.index.json", folder: path) {
            return try Checkpoint.loadFile(join(index))
        }
        let shards = files.filter { $0.hasSuffix(".safetensors") }
        if !shards.isEmpty { return try ShardIndex.loadFiles(shards.map(join)) }

        if let index = try pickIndex(files, preferred: "pytorch_model.bin.index.json", suffix: ".bin.index.json", folder: path) {
            return try Checkpoint.loadFile(join(index))
        }
        let torchShards = files.filter { $0.hasPrefix("pytorch_model") && $0.hasSuffix(".bin") }
        if !torchShards.isEmpty { return try ShardIndex.loadFiles(torchShards.map(join)) }
        let extensions = [[".bin", ".pt", ".pth"], [".gguf"], [".keras"], [".h5", ".hdf5"]]
        for group in extensions {
            let candidates = files.filter { f in group.contains { f.lowercased().hasSuffix($0) } && f != "training_args.bin" }
            if candidates.count == 1 { return try Checkpoint.loadFile(join(candidates[0])) }
            if candidates.count > 1 {
                throw CheckpointError(.unsupported, file: path, message: "folder holds several \(group.joined(separator: "/")) files (\(candidates.joined(separator: ", "))); open one of them")
            }
        }

        if files.isEmpty {
            throw CheckpointError(.notACheckpoint, file: path, message: "folder is empty (no safetensors, PyTorch, GGUF, Keras or HDF5 file)")
        }
        let shown = files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", ..." : "")
        throw CheckpointError(.notACheckpoint, file: path, message: "folder holds no safetensors, PyTorch, GGUF, Keras or HDF5 file (found \(shown))")
    }

    /// `preferred` if present, else the only file ending in `suffix`, else nil.
    /// - Throws: `.unsupported` when several such files leave the choice open.
    private static func pickIndex(_ files: [String], preferred: String, suffix: String, folder: String) throws -> String? {
        if files.contains(preferred) { return preferred }
        let indexes = files.filter { $0.hasSuffix(suffix) }
        if indexes.count > 1 {
            throw CheckpointError(.unsupported, file: folder, message: "folder holds several index files (\(indexes.joined(separator: ", "))); open one of them")
        }
        return indexes.first
    }
}
