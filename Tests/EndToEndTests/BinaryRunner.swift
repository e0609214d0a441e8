import Foundation
import Synchronization

/// Runs the built `htsr` binary, as a user would.
enum HTSRBinary {
    /// The package root (three levels above this file: Tests/EndToEndTests/BinaryRunner.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `$HTSR_BIN`, else `htsr` next to the test bundle (SwiftPM builds it because the test
    /// target depends on it), else `.build/debug/htsr`.
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["HTSR_BIN"] { return p }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("htsr").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for dir in [".build/debug", ".build/x86_64-unknown-linux-gnu/debug"] {
            let p = packageRoot.appendingPathComponent(dir).appendingPathComponent("htsr").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return "htsr"
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `htsr args…` in `directory` with a 120 s limit (a hang is a failure, not a stuck CI);
    /// `environment` entries are added to (or replace) the inherited ones; `stdin` is a file to read as standard input.
    static func run(_ args: [String], in directory: URL? = nil, timeout: TimeInterval = 120,
                    environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = directory ?? packageRoot
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env.merge(environment) { _, new in new }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        if let stdin { p.standardInput = FileHandle(forReadingAtPath: stdin) }
        try p.run()
        // Drain both pipes concurrently so a large output cannot block the child.
        let outData = Drained(out), errData = Drained(err)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning {
            p.terminate()
            throw RunError.timedOut(args)
        }
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Reads a pipe to its end on a background thread; `data` waits for it.
    final class Drained: Sendable {
        private let bytes = Mutex(Data())
        private let done = DispatchSemaphore(value: 0)
        init(_ pipe: Pipe) {
            DispatchQueue.global().async {
                let read = pipe.fileHandleForReading.readDataToEndOfFile()
                self.bytes.withLock { $0 = read }
                self.done.signal()
            }
        }
        var data: Data {
            done.wait()
            done.signal()
            return bytes.withLock { $0 }
        }
    }

    enum RunError: Error { case timedOut([String]) }
}

/// A fresh temporary folder, removed by `cleanup()`.
struct TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? [] }
}
