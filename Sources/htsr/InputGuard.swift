import ArgumentParser
import Checkpoint
import Foundation

/// What a command reads, to check what it writes against before anything is written: an
/// output may not be an input (the same path, a symbolic link to it or a hard link to it —
/// compared by device and inode), may not lie inside an input folder (a model folder, the
/// folder of a shard index, `--eigenvalues DIR`, a data folder), and a folder that is replaced
/// whole may not hold an input. Each violation is a usage error (exit status 64).
struct CommandInputs {
    private(set) var files: [String] = []
    private(set) var folders: [String] = []
    /// The most files of input folders whose identities are collected (for hard links).
    static let folderFileLimit = 100_000

    /// A checkpoint path: a folder is read whole; a shard index reads its folder's shards (its
    /// folder counts as read); a file is read with the `config.json` / `adapter_config.json`
    /// beside it, when present.
    mutating func checkpoint(_ path: String?) {
        guard let path, path != StandardStreams.name else { return }
        if isDirectory(path) {
            folders.append(path)
        } else if path.lowercased().hasSuffix(".index.json") {
            folders.append(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        } else {
            files.append(path)
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            for sidecar in ["config.json", "adapter_config.json"] { files.append(folder.appendingPathComponent(sidecar).path) }
        }
    }

    /// A file read as it is (an analysis JSON, a training log, `--init`, a data file).
    mutating func file(_ path: String?) {
        guard let path, path != StandardStreams.name else { return }
        if isDirectory(path) { folders.append(path) } else { files.append(path) }
    }

    /// A folder read (`--eigenvalues DIR`, `--data-dir`).
    mutating func folder(_ path: String?) {
        if let path { folders.append(path) }
    }

    /// The identities of every input file, those inside input folders included (up to
    /// `folderFileLimit`): what a staged folder must not replace.
    var identities: [FileIdentity] {
        var ids = files.compactMap(FileIdentity.init)
        var budget = Self.folderFileLimit
        for folder in folders {
            guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
            while budget > 0, let rel = walker.nextObject() as? String {
                budget -= 1
                if let id = FileIdentity(folder + "/" + rel) { ids.append(id) }
            }
        }
        return ids
    }

    /// Refuses an output file that is an input or lies in an input folder.
    func check(file output: String, option: String) throws {
        if let id = FileIdentity(output), let input = (files.first { FileIdentity($0) == id } ?? matchingFolderFile(id)) {
            throw ValidationError("\(option) '\(output)' is the input '\(input)' (the same file); choose another output")
        }
        try checkNotInsideInputFolder(output, option: option)
    }

    /// Refuses an output folder that is an input, lies in an input folder, or — when the
    /// command replaces it whole or writes files of any name into it (`replaces`) — holds an input.
    func check(folder output: String, option: String, replaces: Bool) throws {
        if let id = FileIdentity(output), let input = files.first(where: { FileIdentity($0) == id }) {
            throw ValidationError("\(option) '\(output)' is the input '\(input)'; choose another output")
        }
        try checkNotInsideInputFolder(output, option: option)
        guard replaces else { return }
        let target = resolvedPath(output)
        for input in files + folders where FileManager.default.fileExists(atPath: input) {
            if isInside(resolvedPath(input), target) {
                throw ValidationError("\(option) '\(output)' holds the input '\(input)', and this command replaces what is in it; choose another output")
            }
        }
    }

    private func checkNotInsideInputFolder(_ output: String, option: String) throws {
        let resolved = resolvedPath(output)
        for folder in folders where isInside(resolved, resolvedPath(folder)) {
            throw ValidationError("\(option) '\(output)' is inside the input folder '\(folder)'; write it elsewhere")
        }
    }

    /// The path of a file inside an input folder with identity `id`, if any.
    private func matchingFolderFile(_ id: FileIdentity) -> String? {
        var budget = Self.folderFileLimit
        for folder in folders {
            guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
            while budget > 0, let rel = walker.nextObject() as? String {
                budget -= 1
                if FileIdentity(folder + "/" + rel) == id { return folder + "/" + rel }
            }
        }
        return nil
    }
}

/// `path` made absolute with symbolic links resolved: the deepest existing ancestor through
/// `realpath`, the rest appended (so a file not written yet resolves through a linked folder).
func resolvedPath(_ path: String) -> String {
    var url = URL(fileURLWithPath: path).standardizedFileURL
    var rest: [String] = []
    while true {
        if let real = realpath(url.path, nil) {
            defer { free(real) }
            var result = String(cString: real)
            for part in rest.reversed() { result += (result.hasSuffix("/") ? "" : "/") + part }
            return result
        }
        let parent = url.deletingLastPathComponent()
        if parent.path == url.path { return URL(fileURLWithPath: path).standardizedFileURL.path }
        rest.append(url.lastPathComponent)
        url = parent
    }
}

/// Whether `path` is `folder` or inside it (both resolved).
func isInside(_ path: String, _ folder: String) -> Bool {
    path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
}
