import Checkpoint
import Foundation

/// An output folder written all at once: files go into a hidden sibling staging folder, and
/// only `commit()` puts them in place, so a failure leaves nothing half-written.
///
/// - `.merge` (for `htsr plot`): a new target is the staging folder renamed; an existing one
///   receives each file by `rename` (files of the same name are replaced, others kept).
/// - `.replaceReport` (for `htsr report`): the staging folder is renamed to the target; an
///   existing target is replaced only if it is an htsr report (its `index.html` carries the
///   generator mark) or empty — never an unrelated folder.
public final class StagedFolder {
    public enum Mode: Sendable { case merge, replaceReport }

    public let target: String
    public let staging: String
    public let mode: Mode
    private var done = false

    /// The mark `htsr report` writes into every `index.html`.
    public static let reportMark = "<meta name=\"generator\" content=\"htsr report\">"

    /// Creates the staging folder next to `target` (checking first that the target may be replaced).
    public init(target: String, mode: Mode) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: target).standardizedFileURL
        self.target = url.path
        self.mode = mode
        let parent = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: self.target, isDirectory: &isDir) {
            guard isDir.boolValue else { throw PlotError.output(path: target, problem: "exists and is not a folder") }
            if mode == .replaceReport && !Self.isReplaceable(self.target) {
                throw PlotError.output(path: target, problem: "exists and is not an htsr report; choose another --out or remove it")
            }
        }
        staging = parent + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw PlotError.output(path: target, problem: "cannot create a folder here: \(FileProblem.text(error))")
        }
    }

    deinit { if !done { discard() } }

    /// The path of `relative` inside the staging folder.
    public func path(_ relative: String) -> String { staging + "/" + relative }

    /// A path in the staging folder as it will be after `commit()` (for messages).
    public func finalPath(_ path: String) -> String {
        path.hasPrefix(staging) ? target + path.dropFirst(staging.count) : path
    }

    /// Runs `body`, rewriting staging paths in a `PlotError` to their final paths, so that
    /// messages name the files the user asked for.
    public func namingFinalPaths<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let PlotError.gnuplotFailed(figure, message) {
            throw PlotError.gnuplotFailed(figure: finalPath(figure), message: message.replacingOccurrences(of: staging, with: target))
        } catch let PlotError.output(path, problem) {
            throw PlotError.output(path: finalPath(path), problem: problem)
        }
    }

    /// Removes the staging folder (nothing is put in place).
    public func discard() {
        done = true
        try? FileManager.default.removeItem(atPath: staging)
    }

    /// Puts the staged files in place.
    public func commit() throws {
        let fm = FileManager.default
        defer { discard() }
        if !fm.fileExists(atPath: target) {
            guard rename(staging, target) == 0 else { throw renameError(target) }
            done = true
            return
        }
        switch mode {
        case .replaceReport:
            let old = staging + ".old"
            guard rename(target, old) == 0 else { throw renameError(target) }
            guard rename(staging, target) == 0 else {
                let e = renameError(target)
                _ = rename(old, target)
                throw e
            }
            try? fm.removeItem(atPath: old)
            done = true
        case .merge:
            guard let walker = fm.enumerator(atPath: staging) else { throw PlotError.output(path: staging, problem: "cannot list the staged files") }
            var files: [String] = []
            while let rel = walker.nextObject() as? String {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: staging + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
            }
            for rel in files {
                let destination = target + "/" + rel
                do {
                    try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                } catch {
                    throw PlotError.output(path: destination, problem: "cannot create its folder: \(FileProblem.text(error))")
                }
                guard rename(staging + "/" + rel, destination) == 0 else { throw renameError(destination) }
            }
        }
    }

    private func renameError(_ path: String) -> PlotError {
        .output(path: path, problem: "cannot move the output into place: \(String(cString: strerror(errno)))")
    }

    /// Whether an existing folder may be replaced by a report: empty, or an htsr report.
    static func isReplaceable(_ path: String) -> Bool {
        let fm = FileManager.default
        guard let items = try? fm.contentsOfDirectory(atPath: path) else { return false }
        if items.isEmpty { return true }
        guard let index = fm.contents(atPath: path + "/index.html") else { return false }
        return String(decoding: index.prefix(4096), as: UTF8.self).contains(reportMark)
    }
}
