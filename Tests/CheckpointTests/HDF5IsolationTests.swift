import Foundation
import Testing
@testable import Checkpoint

/// The parent's side of `HDF5Isolation` against workers that misbehave on purpose (shell
/// scripts standing in for a libhdf5 that crashes, hangs, exits or talks nonsense), and
/// against the real worker (the built `htsr`) when it is there. The global setting is not
/// touched: other tests run concurrently.
@Suite struct HDF5IsolationTests {
    static let file = Fixtures.path("keras2/weights.h5")

    func outcome(_ script: String, seconds: Double = 20) -> CheckpointError? {
        let worker = HDF5Isolation.Worker(executable: "/bin/sh", arguments: ["-c", script],
                                          limits: HDF5Isolation.Limits(seconds: seconds))
        return checkpointError { _ = try HDF5WorkerFile.open(Self.file, origin: HDF5Origin(file: "model.h5"), worker: worker) }
    }

    @Test func aCrashIsAnErrorNamingTheFile() {
        let e = outcome("kill -SEGV $$")
        #expect(e?.description == "model.h5: unreadable HDF5 (libhdf5 crashed: signal 11, Segmentation fault; the file is corrupt)")
        #expect(outcome("kill -ABRT $$")?.message.contains("signal 6") == true)
    }

    @Test func aHangIsKilledAtTheTimeLimit() {
        let start = Date()
        let e = outcome("exec sleep 60", seconds: 0.5)
        #expect(e?.description == "model.h5: unreadable HDF5 (libhdf5 timed out after 0.5 s; the file may be corrupt)")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func anExitOrNonsenseIsAnError() {
        #expect(outcome("exit 3")?.message == "unreadable HDF5 (the HDF5 reader process exited with status 3)")
        // A frame claiming 2^56 bytes of listing: refused, never allocated.
        #expect(outcome("printf '\\144\\0\\0\\0\\0\\0\\0\\0\\1' >&3; sleep 5")?.message == "unreadable HDF5 (the HDF5 reader process answered out of protocol)")
        #expect(outcome("printf '\\7\\0\\0\\0\\0\\0\\0\\0\\0' >&3; sleep 5")?.message == "unreadable HDF5 (the HDF5 reader process answered out of protocol)")
        // An error frame is passed on as the error it names.
        let e = outcome("printf '\\145\\26\\0\\0\\0\\0\\0\\0\\0\\4\\0\\0\\0\\0\\0\\0\\0hdf5\\2\\0\\0\\0\\0\\0\\0\\0no' >&3; sleep 5")
        #expect(e?.kind == .hdf5 && e?.description == "model.h5: no")
    }

    @Test func aMissingExecutableIsAnError() {
        let worker = HDF5Isolation.Worker(executable: "/nonexistent/htsr")
        let e = checkpointError { _ = try HDF5WorkerFile.open(Self.file, origin: HDF5Origin(file: "model.h5"), worker: worker) }
        #expect(e?.message.hasPrefix("cannot start the HDF5 reader process (/nonexistent/htsr)") == true)
    }

    /// The built `htsr`, if any (SwiftPM builds it for the end-to-end tests).
    static var htsr: String? {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("htsr").path,
                          url.appendingPathComponent(".build/debug/htsr").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The real worker reads what the in-process reader reads, bit for bit, whole and by rows.
    @Test func theRealWorkerReadsLikeTheProcessItself() throws {
        guard let htsr = Self.htsr else { return }
        let worker = HDF5Isolation.Worker(executable: htsr)
        for fixture in ["keras2/weights.h5", "keras2/full_model.h5", "keras3/model.weights.h5", "generic.h5"] {
            let path = Fixtures.path(fixture)
            let isolated = Checkpoint(path: path, loaded: try HDF5WorkerFile.open(path, origin: HDF5Origin(file: path), worker: worker))
            let local = try Checkpoint.open(path)
            #expect(isolated.tensors == local.tensors && isolated.metadata == local.metadata && isolated.format == local.format)
            #expect(isolated.nativeOrder == local.nativeOrder)
            for t in local.tensors {
                #expect(try isolated.readDoubles(t).map(\.bitPattern) == local.readDoubles(t).map(\.bitPattern))
                #expect(try isolated.readFloats(t).map(\.bitPattern) == local.readFloats(t).map(\.bitPattern))
                if let rows = t.shape.first, rows > 1 {
                    #expect(try isolated.readFloats(t, rows: 1..<rows) == local.readFloats(t, rows: 1..<rows))
                }
            }
        }
        let missing = checkpointError { _ = try HDF5WorkerFile.open("/nonexistent.h5", origin: HDF5Origin(file: "x.h5"), worker: worker) }
        #expect(missing?.kind == .notFound && missing?.description == "x.h5: no such file")
    }

    /// With `reuse`, one process reads file after file (an error from a file keeps it, a crash
    /// does not), and reads what the process itself reads.
    @Test func aReusedWorkerReadsFileAfterFile() throws {
        guard let htsr = Self.htsr else { return }
        // Arguments no other test uses: the kept process is this test's own.
        let worker = HDF5Isolation.Worker(executable: htsr, arguments: [HDF5Isolation.subcommand, "reuse-test"], reuse: true)
        var pids: Set<Int32> = []
        for fixture in ["keras2/weights.h5", "generic.h5", "keras3/model.weights.h5", "keras2/weights.h5"] {
            let path = Fixtures.path(fixture)
            do {
                let isolated = Checkpoint(path: path, loaded: try HDF5WorkerFile.open(path, origin: HDF5Origin(file: path), worker: worker))
                let local = try Checkpoint.open(path)
                #expect(isolated.tensors == local.tensors)
                for t in local.tensors { #expect(try isolated.readDoubles(t).map(\.bitPattern) == local.readDoubles(t).map(\.bitPattern)) }
            }
            let kept = try #require(HDF5WorkerFile.idleProcess(for: worker))
            pids.insert(kept)
            let missing = checkpointError { _ = try HDF5WorkerFile.open("/nonexistent.h5", origin: HDF5Origin(file: "x.h5"), worker: worker) }
            #expect(missing?.kind == .notFound)
            #expect(HDF5WorkerFile.idleProcess(for: worker) == kept)
        }
        #expect(pids.count == 1)
        // A worker whose file was an error is kept; one that then crashes is not.
        let errorFrame = "printf '\\145\\26\\0\\0\\0\\0\\0\\0\\0\\4\\0\\0\\0\\0\\0\\0\\0hdf5\\2\\0\\0\\0\\0\\0\\0\\0no' >&3"
        let crashing = HDF5Isolation.Worker(executable: "/bin/sh", arguments: ["-c", "\(errorFrame); sleep 1; kill -SEGV $$"],
                                            reuse: true)
        let first = checkpointError { _ = try HDF5WorkerFile.open(Self.file, origin: HDF5Origin(file: "model.h5"), worker: crashing) }
        #expect(first?.description == "model.h5: no")
        #expect(HDF5WorkerFile.idleProcess(for: crashing) != nil && HDF5WorkerFile.idleProcess(for: worker) == nil)
        let second = checkpointError { _ = try HDF5WorkerFile.open(Self.file, origin: HDF5Origin(file: "model.h5"), worker: crashing) }
        #expect(second?.message.contains("signal 11") == true)
        #expect(HDF5WorkerFile.idleProcess(for: crashing) == nil)
    }
}
