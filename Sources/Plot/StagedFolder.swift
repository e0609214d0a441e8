import Checkpoint
import Foundation

/// An output folder written all at once: files go into a hidden sibling staging folder, and
/// only `commit()` puts them in place, so a failure leaves nothing half-written.
///
/// - `.merge` (for `htsr plot`): a new target is the staging folder renamed; an existing one
///   receives each file by `rename` (files of the same name are replaced, others kept) — except
///   a file that is one of the command's inputs (`protected`), which is an error.
/// - `.replaceReport` (for `htsr report`): the staging folder is renamed to the target; an
///   existing target is replaced only if htsr made it — empty, or every file in it listed in its
///   marker file — never a folder holding other files.
///
/// A report folder holds the marker `.htsr-output`: the files htsr wrote there, one relative
/// path per line. The staging folder is registered with `TemporaryFiles`, so an interrupt
/// removes it too.
public final class StagedFolder {
    public enum Mode: Sendable { case merge, replaceReport }

    public let target: String
    public let staging: String
    public let mode: Mode
    /// Files that must never be replaced (the command's inputs), by device and inode.
    public var protected: [FileIdentity] = []
    private var done = false
    private let slot: Int?

    /// The mark `htsr report` writes into every `index.html`.
    public static let reportMark = "<meta name=\"generator\" content=\"htsr report\">"
    /// The marker file listing what htsr wrote into a folder.
    public static let markerName = ".htsr-output"
    static let markerHeader = "# written by htsr; the files below are its own (one relative path per line)"

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
            if mode == .replaceReport, let stranger = Self.foreignFile(self.target) {
                throw PlotError.output(path: target, problem: "exists and is not an htsr report (it holds \(stranger), which htsr did not write); choose another --out or remove it")
            }
        }
        staging = parent + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        slot = TemporaryFiles.register(staging)
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            TemporaryFiles.unregister(slot)
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
        TemporaryFiles.unregister(slot)
    }

    /// Puts the staged files in place (an interrupt meanwhile waits until they are).
    public func commit() throws {
        let fm = FileManager.default
        defer { discard() }
        let files = Self.files(in: staging)
        if let clash = files.first(where: { rel in protected.contains { $0.matches(target + "/" + rel) } }) {
            throw PlotError.output(path: target + "/" + clash, problem: "is an input of this command; it is not replaced (choose another --out)")
        }
        try TemporaryFiles.withoutInterruption {
            if !fm.fileExists(atPath: target) {
                if mode == .replaceReport { try writeMarker(files, into: staging) }
                guard rename(staging, target) == 0 else { throw renameError(target) }
                done = true
                return
            }
            switch mode {
            case .replaceReport:
                try writeMarker(files, into: staging)
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
    }

    private func writeMarker(_ files: [String], into folder: String) throws {
        let text = ([Self.markerHeader] + files.filter { $0 != Self.markerName }).joined(separator: "\n") + "\n"
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + Self.markerName)) } catch {
            throw PlotError.output(path: target + "/" + Self.markerName, problem: "cannot write: \(FileProblem.text(error))")
        }
    }

    private func renameError(_ path: String) -> PlotError {
        .output(path: path, problem: "cannot move the output into place: \(String(cString: strerror(errno)))")
    }

    /// The regular files (and links) under `folder`, as relative paths, sorted.
    static func files(in folder: String) -> [String] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), isDir.boolValue { continue }
            files.append(rel)
        }
        return files.sorted()
    }

    /// The files a folder's marker lists (empty without a marker).
    static func markerList(_ folder: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: folder + "/" + markerName) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    /// The first file of an existing folder that htsr did not write there (nil: the folder may be
    /// replaced). A folder is htsr's when every file in it is listed by its marker; a report
    /// written before markers existed (its `index.html` carries `reportMark`) when every file is
    /// one a report writes (`index.html`, `analysis.json|csv`, `summary.md`, `figures/…`, `layers/…`).
    static func foreignFile(_ path: String) -> String? {
        let files = Self.files(in: path)
        let listed = Set(markerList(path))
        if !listed.isEmpty || FileManager.default.fileExists(atPath: path + "/" + markerName) {
            return files.first { $0 != markerName && !listed.contains($0) }
        }
        guard let index = FileManager.default.contents(atPath: path + "/index.html"),
              String(decoding: index.prefix(4096), as: UTF8.self).contains(reportMark) else { return files.first }
        let reportFiles: Set<String> = ["index.html", ReportPages.analysisJSON, ReportPages.analysisCSV, ReportPages.summaryMarkdown]
        return files.first { !reportFiles.contains($0) && !$0.hasPrefix(ReportPages.modelFolder + "/") && !$0.hasPrefix("layers/") }
    }
}
