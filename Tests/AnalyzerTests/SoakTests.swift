import Checkpoint
import Foundation
import Testing
@testable import Analyzer

/// The soak (issue 14): 1,000 analyses of small checkpoints of every format in one process,
/// through the library API, with the resident memory, open descriptors and child processes
/// sampled ten times; after the first tenth (caches, lazily loaded libraries) RSS must stay
/// flat and nothing may accumulate. The counts are the process's, so the soak runs in a test
/// process of its own: HTSR_SOAK=COUNT enables it, and Scripts/test (CI) runs it that way after
/// the rest of the suite (`Scripts/soak [COUNT]` alone). HDF5 files go through the worker
/// process (the built htsr) when there is one, as in the CLI.
@Suite(.serialized) struct SoakTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let inputs = [
        "fixtures/checkpoints/sharded", "fixtures/checkpoints/hf-folder", "fixtures/checkpoints/dtypes.safetensors",
        "fixtures/checkpoints/keras2/weights.h5", "fixtures/checkpoints/keras2/full_model.h5", "fixtures/checkpoints/keras3/model.weights.h5",
        "fixtures/formats/keras/model-deflated.keras", "fixtures/formats/torch/checkpoint.pt", "fixtures/formats/torch/sharded",
        "fixtures/formats/gguf/types.gguf", "fixtures/formats/quantized/gptq.safetensors", "fixtures/hdf5/unallocated.h5",
    ].map { root.appendingPathComponent($0).path }

    /// Resident set size in bytes (`/proc/self/statm`).
    static func residentBytes() -> Int {
        let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    static func openDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? -1 }

    /// Child processes not yet reaped (workers, zombies), over all threads.
    static func children() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.reduce(0) { n, t in
            n + ((try? String(contentsOfFile: "/proc/self/task/\(t)/children", encoding: .utf8))?.split(separator: " ").count ?? 0)
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["HTSR_SOAK"] != nil, "the soak runs in a process of its own (HTSR_SOAK=COUNT)"))
    func analysesKeepMemoryFlat() throws {
        let count = max(Int(ProcessInfo.processInfo.environment["HTSR_SOAK"] ?? "") ?? 1000, 10 * Self.inputs.count)
        let every = count / 10
        let htsr = Self.root.appendingPathComponent(".build/debug/htsr").path
        let previous = HDF5Isolation.worker
        if FileManager.default.isExecutableFile(atPath: htsr) { HDF5Isolation.use(HDF5Isolation.Worker(executable: htsr)) }
        defer { HDF5Isolation.use(previous) }
        var options = AnalysisOptions()
        options.minEvals = 2
        options.threads = 2
        var samples: [(n: Int, rss: Int, fds: Int, children: Int)] = []
        var layers = 0
        /// One analysis; the checkpoint (and an HDF5 file's worker) ends with the call.
        func analyze(_ path: String) throws -> Int {
            try Analyzer.analyze(try Checkpoint.open(path), options: options).layers.count
        }
        for i in 1...count {
            layers += try analyze(Self.inputs[i % Self.inputs.count])
            if i % every == 0 {
                samples.append((i, Self.residentBytes(), Self.openDescriptors(), Self.children()))
                let s = samples.last!
                print("soak \(s.n): RSS \(String(format: "%.1f", Double(s.rss) / 1_048_576)) MiB, \(s.fds) descriptors, \(s.children) child processes, \(layers) layers so far")
            }
        }
        #expect(layers > count)
        let first = try #require(samples.first), last = try #require(samples.last)
        #expect(samples.count == 10)
        // After the first tenth, RSS stays within 16 MiB (a leaked checkpoint, report or
        // worker buffer per analysis would grow it by megabytes over the run).
        #expect(last.rss - first.rss < 16 << 20, "RSS grew from \(first.rss) to \(last.rss) bytes")
        #expect(samples.allSatisfy { $0.fds == first.fds }, "descriptors: \(samples.map(\.fds))")
        #expect(samples.allSatisfy { $0.children == 0 }, "children: \(samples.map(\.children))")
    }
}
