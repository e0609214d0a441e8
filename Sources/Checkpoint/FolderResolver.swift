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
    /// Hidden files are ignored and subfolders are not searched. Shards named the Hugging Face
    /// way (`model-00001-of-00003.safetensors`) must all be there.
    /// - Throws: `CheckpointError(.notACheckpoint)` for an empty folder or one without any of
    ///   these (the message lists a few of its files); `.unsupported` if several index files or
    ///   several candidate files make the choice ambiguous; `.missingShard` for a checkpoint
    ///   file that is a dangling symbolic link or a numbered shard that is missing; `.notAFile`
    ///   for a checkpoint-named FIFO, socket or device; otherwise the chosen files' errors.
    static func load(_ path: String) throws -> LoadedCheckpoint {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CheckpointError(.io, file: path, message: "cannot list folder: \(FileProblem.text(error))")
        }
        func join(_ name: String) -> String { PathUtil.join(path, name) }
        let visible = NaturalOrder.sorted(names.filter { !$0.hasPrefix(".") })
        try checkCandidates(visible, folder: path)
        let files = visible.filter { PathUtil.isRegularFile(join($0)) }

        if let index = try pickIndex(files, preferred: "model.safetensors.index.json", suffix: ".safetensors.index.json", folder: path) {
            return try Checkpoint.loadFile(join(index))
        }
        let shards = files.filter { $0.hasSuffix(".safetensors") }
        if !shards.isEmpty {
            try checkComplete(shards, folder: path)
            return try ShardIndex.loadFiles(shards.map(join))
        }

        if let index = try pickIndex(files, preferred: "pytorch_model.bin.index.json", suffix: ".bin.index.json", folder: path) {
            return try Checkpoint.loadFile(join(index))
        }
        let torchShards = files.filter { $0.hasPrefix("pytorch_model") && $0.hasSuffix(".bin") }
        if !torchShards.isEmpty {
            try checkComplete(torchShards, folder: path)
            return try ShardIndex.loadFiles(torchShards.map(join))
        }
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

    /// File name endings of the files a folder's checkpoint may be made of.
    static let checkpointSuffixes = [".safetensors", ".index.json", ".bin", ".pt", ".pth", ".gguf", ".keras", ".h5", ".hdf5"]

    /// A checkpoint-named entry that is a dangling link, or neither a regular file nor a folder
    /// (a FIFO, a socket, a device), is an error rather than silently left out.
    private static func checkCandidates(_ names: [String], folder: String) throws {
        for name in names where checkpointSuffixes.contains(where: { name.lowercased().hasSuffix($0) }) {
            let full = PathUtil.join(folder, name)
            switch PathUtil.kind(full) {
            case .missing:
                if PathUtil.isSymbolicLink(full) {
                    throw CheckpointError(.missingShard, file: folder, message: "\(name) is a dangling symbolic link")
                }
            case .other:
                var st = stat()
                _ = stat(full, &st)
                throw CheckpointError(.notAFile, file: full, message: "is \(InputFile.describe(st.st_mode)), not a regular file")
            case .file, .directory:
                continue
            }
        }
    }

    /// Numbered shards (`<stem>-<k>-of-<n>.<ext>`) must be complete: every k of 1…n, each once.
    static func checkComplete(_ names: [String], folder: String) throws {
        var groups: [String: (total: Int, width: Int, seen: Set<Int>, example: String)] = [:]
        for name in names {
            guard let shard = numberedShard(name) else { continue }
            let key = "\(shard.stem)|\(shard.total)|\(shard.ext)"
            guard shard.index >= 1, shard.index <= shard.total else {
                throw CheckpointError(.missingShard, file: folder, message: "shard \(name) is numbered \(shard.index) of \(shard.total)")
            }
            var g = groups[key] ?? (shard.total, shard.width, [], name)
            g.seen.insert(shard.index)
            groups[key] = g
        }
        for (key, g) in groups.sorted(by: { $0.key < $1.key }) {
            guard g.seen.count < g.total else { continue }
            let first = (1...g.total).first { !g.seen.contains($0) }!
            let parts = key.split(separator: "|", omittingEmptySubsequences: false)
            func padded(_ k: Int) -> String { let s = String(k); return String(repeating: "0", count: max(0, g.width - s.count)) + s }
            let name = "\(parts[0])-\(padded(first))-of-\(padded(g.total)).\(parts[2])"
            throw CheckpointError(.missingShard, file: folder, message: "\(g.total - g.seen.count) of the \(g.total) shards like \(g.example) are missing (first: \(name))")
        }
    }

    /// `model-00002-of-00005.safetensors` → (stem "model", 2, 5, digit width 5, "safetensors").
    static func numberedShard(_ name: String) -> (stem: String, index: Int, total: Int, width: Int, ext: String)? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let ext = String(name[name.index(after: dot)...])
        let parts = name[..<dot].components(separatedBy: "-of-")
        guard parts.count == 2, let dash = parts[0].lastIndex(of: "-") else { return nil }
        let indexText = parts[0][parts[0].index(after: dash)...], totalText = parts[1]
        guard !indexText.isEmpty, !totalText.isEmpty, indexText.count <= 9, totalText.count <= 9,
              indexText.allSatisfy({ $0.isASCII && $0.isNumber }), totalText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let index = Int(indexText), let total = Int(totalText) else { return nil }
        return (String(parts[0][..<dash]), index, total, totalText.count, ext)
    }
}
