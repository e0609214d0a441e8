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

    /// The parent's side decodes a worker's answers written to a channel (no process): the
    /// answers a worker gives for a fixture give the fixture's tensors and values; the same
    /// answers cut short anywhere, or with one byte changed in the listing, are clean errors or
    /// a consistent listing, never a trap (what fuzz-hdf5-protocol does at scale).
    @Test func theParentDecodesAnswersFromAChannel() throws {
        let path = Fixtures.path("keras2/weights.h5")
        let (loaded, _) = try HDF5Loader.loadInProcess(path, origin: HDF5Origin(file: path))
        let local = Checkpoint(path: path, loaded: loaded)
        let listing = HDF5WorkerServer.listing(loaded).frame(.ok)
        let answers = try HDF5WorkerServer.answers(loaded, path: path)
        func replay(_ bytes: [UInt8]) throws -> (Checkpoint, [[Double]]) {
            var pair: [Int32] = [-1, -1]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            defer { close(pair[1]) }
            _ = bytes.withUnsafeBytes { write(pair[1], $0.baseAddress, $0.count) }
            shutdown(pair[1], Int32(SHUT_WR))
            let file = HDF5WorkerFile(origin: HDF5Origin(file: path), channel: pair[0], limits: HDF5Isolation.Limits(seconds: 5))
            let checkpoint = Checkpoint(path: path, loaded: try file.listing(of: path))
            return (checkpoint, try checkpoint.tensors.filter { $0.unreadable == nil }.map { try checkpoint.readDoubles($0) })
        }
        let (isolated, values) = try replay(answers)
        #expect(isolated.tensors == local.tensors)
        #expect(values == (try local.tensors.filter { $0.unreadable == nil }.map { try local.readDoubles($0) }))
        for cut in stride(from: 0, to: answers.count, by: 37) {
            let e = checkpointError { _ = try replay(Array(answers.prefix(cut))) }
            #expect(e?.message.hasPrefix("unreadable HDF5") == true)
        }
        for at in stride(from: 9, to: listing.count, by: 5) {
            var changed = answers
            changed[at] ^= 0x5A
            _ = try? replay(changed)   // an error or a listing; must not trap or hang
        }
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
