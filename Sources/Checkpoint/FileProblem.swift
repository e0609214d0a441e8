import Foundation

/// One sentence for a file-system error from Foundation or POSIX, instead of the multi-line
/// `Error Domain=NSCocoaErrorDomain Code=516 … UserInfo={…}` dump: the path (when the error
/// carries one) and the reason, as `strerror` words it (`afile: file exists`).
public enum FileProblem {
    /// `PATH: reason`, with `path` (else the error's own path) named; nil when `error` is not a
    /// Foundation or POSIX error (then the caller's own description stands).
    public static func describe(_ error: Error, path: String? = nil) -> String? {
        guard let r = reason(error) else { return nil }
        guard let p = path ?? filePath(error) else { return r }
        return "\(p): \(r)"
    }

    /// The reason alone (`no such file or directory`), nil for errors that are not Foundation's
    /// or POSIX's.
    public static func reason(_ error: Error) -> String? {
        if let posix = error as? POSIXError { return words(errno: posix.code.rawValue) }
        let ns = error as NSError
        switch ns.domain {
        case NSPOSIXErrorDomain:
            return words(errno: Int32(ns.code))
        case NSCocoaErrorDomain:
            if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return words(errno: Int32(underlying.code))
            }
            return cocoaWords[ns.code] ?? "file operation failed (code \(ns.code))"
        default:
            return nil
        }
    }

    /// The reason for a Foundation or POSIX error, else the error's own description: for
    /// messages such as "cannot write: \(FileProblem.text(error))".
    public static func text(_ error: Error) -> String { reason(error) ?? String(describing: error) }

    /// The path a Foundation error names, if any.
    public static func filePath(_ error: Error) -> String? {
        let info = (error as NSError).userInfo
        if let p = info[NSFilePathErrorKey] as? String { return p }
        if let u = info[NSURLErrorKey] as? URL { return u.path }
        return nil
    }

    /// `strerror` with a lower-case first letter (`No such file or directory` → `no such …`).
    static func words(errno code: Int32) -> String {
        let s = String(cString: strerror(code))
        return s.prefix(1).lowercased() + s.dropFirst()
    }

    /// CocoaError codes without an underlying POSIX error.
    static let cocoaWords: [Int: String] = [
        CocoaError.fileNoSuchFile.rawValue: "no such file or directory",
        CocoaError.fileReadNoSuchFile.rawValue: "no such file or directory",
        CocoaError.fileReadNoPermission.rawValue: "permission denied",
        CocoaError.fileWriteNoPermission.rawValue: "permission denied",
        CocoaError.fileWriteFileExists.rawValue: "file exists",
        CocoaError.fileWriteOutOfSpace.rawValue: "no space left on device",
        CocoaError.fileWriteVolumeReadOnly.rawValue: "read-only file system",
        CocoaError.fileWriteInvalidFileName.rawValue: "invalid file name",
        CocoaError.fileReadInvalidFileName.rawValue: "invalid file name",
        CocoaError.fileReadCorruptFile.rawValue: "unreadable (corrupt) file",
        CocoaError.fileReadTooLarge.rawValue: "file too large to read",
        CocoaError.fileReadUnknown.rawValue: "cannot be read",
        CocoaError.fileWriteUnknown.rawValue: "cannot be written",
    ]
}
