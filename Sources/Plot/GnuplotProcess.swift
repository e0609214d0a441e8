internal import CGnuplot
import Checkpoint
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
///
/// With a figure time limit, a watchdog thread follows the `htsr-done K` markers gnuplot
/// writes to that file after each figure (`figureSent()` counts the figures queued): when
/// the figure being drawn has not finished within the limit, gnuplot is killed — a send
/// blocked on a full pipe then fails and `close()` returns — and `timedOut` says so.
final class GnuplotProcess {
    private var handle: OpaquePointer?
    let executable: String
    let stderrPath: String
    private let watchdog: GnuplotWatchdog?
    /// The interrupt clean-up's way to kill this gnuplot before it removes the staged figures.
    private let stopper: Int

    /// Starts gnuplot with its standard error redirected to `stderrPath`; `figureTimeLimit`
    /// (seconds, nil: none) bounds each figure.
    init(executable: String, stderrPath: String, figureTimeLimit: Double? = nil) throws {
        self.executable = executable
        self.stderrPath = stderrPath
        var errorNumber: Int32 = 0
        guard let h = htsr_gnuplot_open(executable, stderrPath, &errorNumber) else {
            if errorNumber == ENOENT { throw PlotError.gnuplotMissing(executable) }
            throw PlotError.cannotStart(executable: executable, reason: String(cString: strerror(errorNumber)))
        }
        handle = h
        let address = Int(bitPattern: h)
        stopper = TemporaryFiles.registerStopper { htsr_gnuplot_kill(OpaquePointer(bitPattern: address)) }
        watchdog = figureTimeLimit.map { GnuplotWatchdog(handle: h, stderrPath: stderrPath, limit: $0) }
    }

    deinit { if handle != nil { _ = close() } }

    /// Tells the watchdog that one more figure (with its `htsr-done` marker) is being sent.
    func figureSent() { watchdog?.figureSent() }

    /// Whether the watchdog killed gnuplot: at which figure (0-based, in sending order), or
    /// after the last one (gnuplot did not exit).
    var timedOut: GnuplotWatchdog.Stop? { watchdog?.stop }

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
        watchdog?.inputClosed()
        let status = htsr_gnuplot_close(h)
        watchdog?.end()
        TemporaryFiles.unregisterStopper(stopper)  // before the handle is freed
        htsr_gnuplot_free(h)
        let messages = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return (status, messages)
    }
}

/// Kills a gnuplot whose current figure takes longer than `limit` seconds (see `GnuplotProcess`).
final class GnuplotWatchdog: @unchecked Sendable {   // mutable state under `lock`; the thread only reads the file
    private let lock = NSLock()
    private let handle: OpaquePointer
    private let stderrPath: String
    private let limit: Double
    private var sent = 0, done = 0
    /// When the figure now being drawn became the one being drawn.
    private var since = GnuplotWatchdog.now()
    private var stopped = false
    /// When gnuplot's input was closed: once every figure is done, it must exit within the limit.
    private var closedAt: Double?
    private var killed: Stop?

    /// Why the watchdog killed gnuplot.
    enum Stop: Equatable { case figure(Int), exit }
    private let finished = DispatchSemaphore(value: 0)

    static let marker = Array("htsr-done ".utf8)

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    init(handle: OpaquePointer, stderrPath: String, limit: Double) {
        self.handle = handle
        self.stderrPath = stderrPath
        self.limit = limit
        let thread = Thread { [self] in watch() }
        thread.start()
    }

    func figureSent() {
        lock.lock()
        if sent == done { since = Self.now() }
        sent += 1
        lock.unlock()
    }

    var stop: Stop? { lock.lock(); defer { lock.unlock() }; return killed }

    func inputClosed() {
        lock.lock()
        closedAt = Self.now()
        lock.unlock()
    }

    /// Ends the watch (after `htsr_gnuplot_close` returned) and waits for the thread.
    func end() {
        lock.lock()
        stopped = true
        lock.unlock()
        finished.wait()
    }

    private func watch() {
        defer { finished.signal() }
        var offset: UInt64 = 0
        var carry: [UInt8] = []
        let interval = min(0.1, limit / 4)
        while true {
            Thread.sleep(forTimeInterval: interval)
            // Count the markers gnuplot has written since the last look.
            var markers = 0
            if let file = FileHandle(forReadingAtPath: stderrPath) {
                try? file.seek(toOffset: offset)
                if let data = try? file.readToEnd(), !data.isEmpty {
                    offset += UInt64(data.count)
                    let bytes = carry + [UInt8](data)
                    var i = 0
                    while i + Self.marker.count <= bytes.count {
                        if bytes[i] == Self.marker[0] && Array(bytes[i..<(i + Self.marker.count)]) == Self.marker {
                            markers += 1
                            i += Self.marker.count
                        } else {
                            i += 1
                        }
                    }
                    carry = Array(bytes[max(i, bytes.count - Self.marker.count + 1)...])
                }
                try? file.close()
            }
            lock.lock()
            if stopped { lock.unlock(); return }
            if markers > 0 {
                done += markers
                since = Self.now()
            }
            if sent > done && Self.now() - since > limit {
                killed = .figure(done)
                htsr_gnuplot_kill(handle)
                lock.unlock()
                return
            }
            // Every figure done, input closed, and gnuplot still there: it does not exit.
            if let closedAt, sent == done, Self.now() - max(closedAt, since) > limit {
                killed = .exit
                htsr_gnuplot_kill(handle)
                lock.unlock()
                return
            }
            lock.unlock()
        }
    }
}
