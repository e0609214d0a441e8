import Foundation

/// Small path helpers over POSIX `stat`, following symbolic links.
enum PathUtil {
    enum Kind { case missing, file, directory, other }

    /// What is at `path`.
    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func isRegularFile(_ path: String) -> Bool { kind(path) == .file }

    /// The folder part of `path` (`"."` for a bare file name).
    static func directory(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// The last path component.
    static func fileName(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// `folder/name`, without doubling a trailing slash.
    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// The canonical absolute path of `path` (symbolic links resolved), or nil if it does not
    /// resolve (missing, or a dangling link somewhere along it).
    static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Whether `path` is a symbolic link (not followed).
    static func isSymbolicLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }

    /// Whether canonical `path` is `folder` or lies below canonical `folder`.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }

    /// Where a file named by an index (a shard of `weight_map`) is, if the name is allowed.
    ///
    /// The name must be relative, without `..` components or NUL, and resolve (symbolic links
    /// followed) to a path inside the index's folder. One exception, for the Hugging Face hub
    /// cache: when the folder is `<repo>/snapshots/<revision>`, a name may resolve into
    /// `<repo>/blobs/` (the cache stores every file there and links to it).
    /// - Returns: the path to open, or the reason the name is refused (`.failure`), or nil
    ///   for a name that does not resolve (missing, or a dangling link).
    static func contained(_ name: String, in folder: String) -> Result<String, ContainmentError>? {
        if name.isEmpty { return .failure(.init(reason: "is empty")) }
        if name.hasPrefix("/") { return .failure(.init(reason: "is an absolute path")) }
        if name.utf8.contains(0) { return .failure(.init(reason: "contains a NUL byte")) }
        if name.split(separator: "/", omittingEmptySubsequences: true).contains("..") {
            return .failure(.init(reason: "contains a '..' component"))
        }
        let path = join(folder, name)
        guard let target = resolved(path), let base = resolved(folder) else { return nil }
        if isInside(target, base) { return .success(path) }
        let parent = (base as NSString).deletingLastPathComponent
        if (parent as NSString).lastPathComponent == "snapshots" {
            let blobs = ((parent as NSString).deletingLastPathComponent as NSString).appendingPathComponent("blobs")
            if isInside(target, blobs) { return .success(path) }
        }
        return .failure(.init(reason: "resolves to \(target), outside the folder \(base)"))
    }

    struct ContainmentError: Error { let reason: String }
}
