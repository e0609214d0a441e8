internal import CGnuplot
import Foundation

/// Errors of plotting and reporting; each prints as one line naming the file and the problem.
public enum PlotError: Error, CustomStringConvertible, Equatable {
    /// No gnuplot executable was found.
    case gnuplotMissing(String)
    /// gnuplot could not be started.
    case cannotStart(executable: String, reason: String)
    /// gnuplot reported an error (or died) while drawing a figure.
    case gnuplotFailed(figure: String, message: String)
    /// The model has no layer that could be analysed.
    case noLayers(source: String, skipped: Int)
    /// The eigenvalues a per-layer figure needs are not available.
    case missingEigenvalues(String)
    /// An output folder that cannot be written or replaced.
    case output(path: String, problem: String)
    /// An option or combination of inputs that cannot work.
    case invalidRequest(String)

    /// The install command shown when gnuplot is missing.
    public static let installHint = "sudo apt-get install --no-install-recommends gnuplot-nox"

    public var description: String {
        switch self {
        case let .gnuplotMissing(what):
            return "\(what) is not installed (htsr draws figures with it); install it with: \(Self.installHint)"
        case let .cannotStart(executable, reason): return "\(executable): cannot start gnuplot: \(reason)"
        case let .gnuplotFailed(figure, message): return "\(figure): gnuplot failed: \(message)"
        case let .noLayers(source, skipped):
            return "\(source): no analysable layers (\(skipped) tensors, all skipped); nothing to plot"
        case let .missingEigenvalues(m): return m
        case let .output(path, problem): return "\(path): \(problem)"
        case let .invalidRequest(m): return m
        }
    }
}

/// Finds the gnuplot executable.
public enum GnuplotLocator {
    /// `$HTSR_GNUPLOT` if set (it must be an executable file), else the first `gnuplot` on `$PATH`.
    ///
    /// - Throws: `PlotError.gnuplotMissing` with the install command.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let fm = FileManager.default
        if let explicit = environment["HTSR_GNUPLOT"], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else { throw PlotError.gnuplotMissing("gnuplot (HTSR_GNUPLOT=\(explicit))") }
            return explicit
        }
        for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/gnuplot"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PlotError.gnuplotMissing("gnuplot")
    }
}

/// One running gnuplot process fed through gnuplot-iostream (`CGnuplot`): scripts go in as
/// text with binary data blocks; gnuplot's messages go to a file read after it exits.
final class GnuplotProcess {
    private var handle: OpaquePointer?
    let executable: String
    let stderrPath: String

    /// Starts gnuplot with its standard error redirected to `stderrPath`.
    init(executable: String, stderrPath: String) throws {
        self.executable = executable
        self.stderrPath = stderrPath
        var errorNumber: Int32 = 0
        guard let h = htsr_gnuplot_open(executable, stderrPath, &errorNumber) else {
            if errorNumber == ENOENT { throw PlotError.gnuplotMissing(executable) }
            throw PlotError.cannotStart(executable: executable, reason: String(cString: strerror(errorNumber)))
        }
        handle = h
    }

    deinit { if handle != nil { _ = close() } }

    /// Sends a script; returns false if gnuplot has stopped reading (it died).
    func send(_ script: GnuplotScript) -> Bool {
        for segment in script.segments {
            switch segment {
            case let .text(t): guard send(t) else { return false }
            case let .data(b):
                let ok = b.values.withUnsafeBufferPointer { p in
                    htsr_gnuplot_send_columns(handle, p.baseAddress, b.columns, b.rows) == 0
                }
                guard ok else { return false }
            }
        }
        return true
    }

    /// Sends command text; returns false if gnuplot has stopped reading.
    func send(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { p in htsr_gnuplot_send_text(handle, p.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, p.count) == 0 }
    }

    /// Closes gnuplot's input, waits for it, and returns its exit status and what it wrote to stderr.
    func close() -> (status: Int32, messages: String) {
        guard let h = handle else { return (-1, "") }
        handle = nil
        let status = htsr_gnuplot_close(h)
        let messages = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return (status, messages)
    }
}
