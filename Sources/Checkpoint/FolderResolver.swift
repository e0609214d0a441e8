import Foundation

/// Picks the checkpoint files of a folder (a Hugging Face model folder or a Keras export).
enum FolderResolver {
    /// Opens the checkpoint in folder `path`, trying in turn:
    /// 1. `model.safetensors.index.json`, else the only `*.safetensors.index.json`;
    /// 2. every `*.safetensors` file, in natural order (`model-00002-of-00010` before `model-00010-of-00010`);
    /// 3. the only `.h5` / `.hdf5` file (e.g. `model.weights.h5`).
    ///
    /// Hidden files are ignored and subfolders are not searched.
    /// - Throws: `CheckpointError(.notACheckpoint)` for an empty folder or one without any of
    ///   these (the message lists a few of its files); `.unsupported` if several index files or
    ///   several HDF5 files make the choice ambiguous; otherwise the chosen files' errors.
    static func load(_ path: String) throws -> LoadedCheckpoint {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CheckpointError(.io, file: path, message: "cannot list folder: \(error.localizedDescription)")
        }
        let files = NaturalOrder.sorted(names.filter { !$0.hasPrefix(".") && PathUtil.isRegularFile(PathUtil.join(path, $0)) })

        let indexes = files.filter { $0.hasSuffix(".safetensors.index.json") }
        if indexes.contains("model.safetensors.index.json") || indexes.count == 1 {
            let index = indexes.contains("model.safetensors.index.json") ? "model.safetensors.index.json" : indexes[0]
            return try Checkpoint.loadFile(PathUtil.join(path, index))
        }
        if indexes.count > 1 {
            throw CheckpointError(.unsupported, file: path, message: "folder holds several safetensors index files (\(indexes.joined(separator: ", "))); open one of them")
        }

        let shards = files.filter { $0.hasSuffix(".safetensors") }
        if !shards.isEmpty {
            return try SafetensorsLoader.loadFiles(shards.map { PathUtil.join(path, $0) })
        }

        let hdf5 = files.filter { $0.lowercased().hasSuffix(".h5") || $0.lowercased().hasSuffix(".hdf5") }
        if hdf5.count == 1 {
            return try Checkpoint.loadFile(PathUtil.join(path, hdf5[0]))
        }
        if hdf5.count > 1 {
            throw CheckpointError(.unsupported, file: path, message: "folder holds several HDF5 files (\(hdf5.joined(separator: ", "))); open one of them")
        }

        if files.isEmpty {
            throw CheckpointError(.notACheckpoint, file: path, message: "folder is empty (no .safetensors, safetensors index or HDF5 file)")
        }
        let shown = files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", ..." : "")
        throw CheckpointError(.notACheckpoint, file: path, message: "folder holds no .safetensors, safetensors index or HDF5 file (found \(shown))")
    }
}
