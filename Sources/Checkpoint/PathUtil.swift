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
}
