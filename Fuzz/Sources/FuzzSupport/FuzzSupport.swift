import CFuzzDriver
import Checkpoint
import Foundation

/// What every fuzz target shares: inputs as files without touching the disk, and a memory
/// budget that keeps a lying input from asking for more than the fuzzer allows.
public enum FuzzSupport {
    /// Budget of the readers during fuzzing (libFuzzer's default RSS limit is 2 GiB).
    public static let budget = MemoryBudget(bytes: 256 << 20)

    /// A fuzz target's `main`: sets the budget, then hands over to libFuzzer's driver, which
    /// calls `test` with each input (its command-line options are libFuzzer's).
    public static func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                            test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
        MemoryBudget.current = budget
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, test)
    }
}

/// A file in memory (an unnamed `O_TMPFILE` in /dev/shm, gone when the process ends) holding
/// the current input, reachable at `path` (`/proc/self/fd/N`): the readers open it like any
/// regular file.
public final class MemoryFile: @unchecked Sendable {   // used from the fuzzer's one thread
    public let fd: Int32
    public let path: String

    /// Linux's O_TMPFILE (`__O_TMPFILE | O_DIRECTORY`), which Swift does not import.
    static let temporaryFileFlag: Int32 = 0o20_000_000 | O_DIRECTORY

    public init(folder: String = "/dev/shm") {
        fd = open(folder, O_RDWR | Self.temporaryFileFlag | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot create an unnamed file in \(folder)")
        path = "/proc/self/fd/\(fd)"
    }

    /// Replaces the content with `bytes`.
    public func set(_ bytes: UnsafeRawBufferPointer) {
        precondition(ftruncate(fd, 0) == 0)
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(done))
            precondition(n > 0, "pwrite failed")
            done += n
        }
    }
}

extension FuzzSupport {
    /// Reads every tensor of `checkpoint` (whole, as Doubles, within the budget); errors are
    /// the expected outcome for most inputs.
    public static func readAll(_ checkpoint: Checkpoint) {
        for t in checkpoint.tensors { _ = try? checkpoint.readDoubles(t) }
    }

    /// A private folder under /dev/shm, removed when the process exits.
    public static func scratchFolder() -> String {
        let folder = "/dev/shm/htsr-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        scratch = folder
        atexit { if let f = FuzzSupport.scratch { try? FileManager.default.removeItem(atPath: f) } }
        return folder
    }
    nonisolated(unsafe) static var scratch: String?

    /// `name` in the scratch folder.
    public static func namedFile(_ name: String) -> String { (scratch ?? scratchFolder()) + "/" + name }

    /// The scratch folder holding two small real shards, `model-00001-of-00002.safetensors`
    /// (`a.weight` 4×3 F32, `b.weight` 2×2 F16) and `model-00002-of-00002.safetensors`
    /// (`c.bias` 3 F64), for index inputs to name.
    public static func shardFolder() -> String {
        let folder = scratch ?? scratchFolder()
        try? SafetensorsWriter.write([WritableTensor(name: "a.weight", shape: [4, 3], floats: (0..<12).map { Float($0) }),
                                      WritableTensor(name: "b.weight", dtype: .F16, shape: [2, 2], bytes: [0, 60, 0, 64, 0, 66, 0, 68])],
                                     metadata: ["format": "pt"], to: folder + "/model-00001-of-00002.safetensors")
        try? SafetensorsWriter.write([WritableTensor(name: "c.bias", dtype: .F64, shape: [3], bytes: [UInt8](repeating: 0, count: 24))],
                                     metadata: [:], to: folder + "/model-00002-of-00002.safetensors")
        return folder
    }

    /// The worker for HDF5 inputs: `$HTSR_BIN`, else the debug build of htsr beside this package.
    public static func hdf5Worker() -> HDF5Isolation.Worker {
        let environment = ProcessInfo.processInfo.environment
        let beside = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/htsr").path
        let executable = environment["HTSR_BIN"] ?? beside
        precondition(FileManager.default.isExecutableFile(atPath: executable), "no htsr at \(executable) (build it, or set HTSR_BIN)")
        return HDF5Isolation.Worker(executable: executable, limits: HDF5Isolation.Limits(seconds: 0.25), reuse: true)
    }
}
