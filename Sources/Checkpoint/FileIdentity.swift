import Foundation

/// A file's identity: its device and inode (the same file under any path, symbolic link or
/// hard link).
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file `path` names (following symbolic links); nil if it does not exist.
    public init?(_ path: String) {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
    }

    /// Whether `path` names this file.
    public func matches(_ path: String) -> Bool { FileIdentity(path) == self }
}
