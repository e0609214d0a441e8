import Dispatch
import Checkpoint
import Foundation
import Parallel
import Synchronization

/// A figure to draw and the file to draw it into.
public struct PlannedFigure: Sendable {
    public var figure: Figure
    public var path: String
    public init(_ figure: Figure, path: String) { self.figure = figure; self.path = path }
}

/// Figures built together because they share work (e.g. one layer's KS scan feeds two figures).
/// `build` runs on a rendering thread, so building overlaps with gnuplot's drawing.
public struct FigureBatch: Sendable {
    public var label: String
    public var build: @Sendable () throws -> [PlannedFigure]
    public init(label: String, build: @escaping @Sendable () throws -> [PlannedFigure]) {
        self.label = label
        self.build = build
    }
}

/// What a render produced.
public struct RenderOutcome: Sendable, Equatable {
    /// The files written, in batch order.
    public var files: [String]
    /// gnuplot warnings, one line each (`file: message`).
    public var warnings: [String]
}

/// Draws figures with a few long-lived gnuplot processes.
///
/// Each of `processes` worker threads starts ONE gnuplot, then takes batches from a shared
/// queue until none is left: builds the figures, sends each script (data as binary blocks)
/// (creating its folder) followed by `print 'htsr-done K'`, which gnuplot writes to its stderr after the figure's file
/// is closed. When the queue is empty the worker closes gnuplot's input and reads its stderr:
/// text between two markers belongs to the figure that follows the first. Errors fail the
/// render (one line naming the figure); warnings are returned.
public struct FigureRenderer: Sendable {
    /// Progress: (batches finished, batches in total, label of the batch just finished).
    public typealias Progress = @Sendable (Int, Int, String) -> Void

    public var executable: String
    public var processes: Int
    public var settings: RenderSettings
    /// Seconds gnuplot may spend on one figure; past it gnuplot is killed and the render fails
    /// naming the figure (nil: no limit).
    public var figureTimeLimit: Double? = FigureRenderer.defaultFigureTimeLimit

    /// The default figure time limit: generous for a large PDF of 15,000 eigenvalues on a
    /// loaded machine, short enough that a stuck gnuplot does not hold a run for ever.
    public static let defaultFigureTimeLimit = 300.0

    public init(executable: String, processes: Int, settings: RenderSettings) {
        self.executable = executable
        self.processes = max(1, processes)
        self.settings = settings
    }

    /// Renders every batch; returns the files (each checked to exist and be non-empty).
    public func render(_ batches: [FigureBatch], progress: FigureRenderer.Progress? = nil) throws -> RenderOutcome {
        guard !batches.isEmpty else { return RenderOutcome(files: [], warnings: []) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-gnuplot-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let queue = WorkCounter(count: batches.count)
        let results = LockedResults(batches.count)
        let workers = min(processes, batches.count)
        // One thread per process (not a pool sized to the cores): each mostly waits on its pipe,
        // and `--processes` must mean that many gnuplots drawing at once.
        let group = DispatchGroup()
        for w in 0..<workers {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let warnings = try runWorker(batches, queue: queue, results: results,
                                                 stderrPath: scratch.appendingPathComponent("stderr-\(w).txt").path,
                                                 progress: progress, total: batches.count)
                    results.addWarnings(warnings)
                } catch {
                    queue.stop()
                    results.fail(error)
                }
            }
            thread.start()
        }
        group.wait()
        if let error = results.error { throw error }
        let files = results.files.flatMap { $0 }
        for f in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: f)[.size] as? Int) ?? nil
            guard let size, size > 0 else { throw PlotError.gnuplotFailed(figure: f, message: "no file was written") }
        }
        return RenderOutcome(files: files, warnings: results.warnings)
    }

    /// One worker: one gnuplot process for all the batches it takes. Returns its warnings.
    private func runWorker(_ batches: [FigureBatch], queue: WorkCounter, results: LockedResults, stderrPath: String,
                           progress: FigureRenderer.Progress?, total: Int) throws -> [String] {
        let gnuplot = try GnuplotProcess(executable: executable, stderrPath: stderrPath, figureTimeLimit: figureTimeLimit)
        var sent: [String] = []
        var folders = Set<String>()
        var broken = false
        while !broken, let k = queue.next() {
            let planned = try batches[k].build()
            var paths: [String] = []
            for p in planned {
                let folder = (p.path as NSString).deletingLastPathComponent
                if folders.insert(folder).inserted {
                    do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                        throw PlotError.output(path: folder, problem: "cannot create the folder: \(FileProblem.text(error))")
                    }
                }
                let script = ScriptWriter.script(for: p.figure, settings: settings, output: p.path)
                // The figure's time starts when it is sent (a stuck gnuplot may never read it).
                gnuplot.figureSent()
                guard gnuplot.send(script), gnuplot.send("print 'htsr-done \(sent.count)'\n") else {
                    broken = true
                    sent.append(p.path)
                    break
                }
                sent.append(p.path)
                paths.append(p.path)
            }
            results.store(paths, at: k)
            if let progress { progress(results.finishedCount, total, batches[k].label) }
        }
        let (status, messages) = gnuplot.close()
        if let stop = gnuplot.timedOut, let limit = figureTimeLimit {
            let limitText = limit == limit.rounded() ? "\(Int(limit)) s" : "\(limit) s"
            switch stop {
            case .figure(let k):
                throw PlotError.gnuplotFailed(figure: k < sent.count ? sent[k] : (sent.last ?? "gnuplot"),
                                              message: "gnuplot did not finish the figure within \(limitText) and was stopped")
            case .exit:
                guard let last = sent.last else {
                    throw PlotError.cannotStart(executable: executable, reason: "gnuplot did not exit within \(limitText) and was stopped")
                }
                throw PlotError.gnuplotFailed(figure: last, message: "gnuplot did not exit within \(limitText) after its last figure and was stopped")
            }
        }
        let report = GnuplotMessages.parse(messages, figures: sent)
        if let failure = report.errors.first { throw PlotError.gnuplotFailed(figure: failure.figure, message: failure.message) }
        if sent.isEmpty && status != 0 {
            // This gnuplot drew nothing (another worker failed first and stopped the queue, or
            // it died at start): less telling than an error that names a figure.
            throw PlotError.cannotStart(executable: executable, reason: "gnuplot exited with status \(status) before drawing")
        }
        if broken || status != 0 {
            let figure = sent.count > report.finished ? sent[report.finished] : (sent.last ?? "gnuplot")
            throw PlotError.gnuplotFailed(figure: figure, message: status > 128 ? "gnuplot was killed by signal \(status - 128)" : "gnuplot exited with status \(status)")
        }
        return report.warnings.map { "\($0.figure): \($0.message)" }
    }
}

/// gnuplot's stderr, split at the `htsr-done K` markers.
enum GnuplotMessages {
    struct Message: Equatable { var figure: String; var message: String }
    struct Report: Equatable {
        var finished: Int
        var errors: [Message]
        var warnings: [Message]
    }

    /// Assigns each message to the figure being drawn when it was written. A message is a
    /// warning when every line of it starts with `warning:` in any case (gnuplot's own prefix); otherwise it
    /// is an error, reported by its last non-empty line (gnuplot's explanation, e.g.
    /// `line 0: undefined variable: foo`).
    static func parse(_ text: String, figures: [String]) -> Report {
        var report = Report(finished: 0, errors: [], warnings: [])
        var pending: [String] = []
        func flush() {
            let lines = pending.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "^" && !$0.hasPrefix("gnuplot>") }
            pending = []
            guard !lines.isEmpty else { return }
            let figure = report.finished < figures.count ? figures[report.finished] : (figures.last ?? "gnuplot")
            // gnuplot writes `warning:` and, for some (`Warning: empty y range …`), `Warning:`.
            if lines.map({ $0.lowercased() }).allSatisfy({ $0.hasPrefix("warning:") || $0.contains(": warning:") }) {
                report.warnings.append(Message(figure: figure, message: lines.joined(separator: "; ")))
            } else {
                let explanation = lines.last { $0.contains(":") } ?? lines.last!
                report.errors.append(Message(figure: figure, message: explanation))
            }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("htsr-done ") {
                flush()
                report.finished += 1
            } else {
                pending.append(String(line))
            }
        }
        flush()
        return report
    }
}

/// Per-batch results, warnings and the first error, shared by the workers.
final class LockedResults: Sendable {
    private let slots: ResultSlots<[String]>
    private let warningList = Mutex<[String]>([])

    init(_ count: Int) { slots = ResultSlots(count: count) }

    func store(_ files: [String], at k: Int) { slots.store(files, at: k) }
    var finishedCount: Int { slots.filled }
    var files: [[String]] { slots.values.map { $0 ?? [] } }
    var warnings: [String] { warningList.withLock { $0 } }
    func addWarnings(_ w: [String]) { warningList.withLock { $0 += w } }
    /// Keeps the first error, except that an error naming a figure replaces one that does not.
    func fail(_ e: any Error) {
        func namesFigure(_ e: any Error) -> Bool { if case .gnuplotFailed? = e as? PlotError { return true } else { return false } }
        slots.fail(e) { new, current in namesFigure(new) && !namesFigure(current) }
    }
    var error: (any Error)? { slots.firstError }
}
