import Checkpoint
import Foundation
import Testing

@Suite struct DataEndToEnd {
    /// Each generator writes a PDEBench-layout file that `Checkpoint.open` reads with the
    /// expected shapes and attributes, prints one summary line, and `inspect` lists it.
    @Test func generatorsWriteReadableFiles() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let runs: [(args: [String], shapes: [String: [Int]])] = [
            (["burgers", "--samples", "3", "--resolution", "16", "--steps", "5", "--viscosity", "0.05"],
             ["tensor": [3, 5, 16], "x-coordinate": [16], "t-coordinate": [5]]),
            (["darcy", "--samples", "2", "--resolution", "8"],
             ["nu": [2, 8, 8], "tensor": [2, 1, 8, 8], "x-coordinate": [8], "y-coordinate": [8]]),
            (["navier-stokes", "--samples", "2", "--resolution", "8", "--steps", "3", "--interval", "0.25"],
             ["tensor": [2, 3, 8, 8], "x-coordinate": [8], "y-coordinate": [8], "t-coordinate": [3]]),
        ]
        for (k, run) in runs.enumerated() {
            let out = tmp.path("f\(k).h5")
            let r = try HTSRBinary.run(["data"] + run.args + ["--seed", "5", "--out", out])
            #expect(r.status == 0, "\(run.args[0]): \(r.stderr)")
            #expect(r.stdout.hasPrefix("wrote \(out): ") && r.stdout.split(separator: "\n").count == 1)
            let c = try Checkpoint.open(out)
            #expect(Dictionary(uniqueKeysWithValues: c.tensors.map { ($0.name, $0.shape) }) == run.shapes)
            #expect(c.tensors.allSatisfy { $0.dtype == .F32 })
            #expect(c.metadata["seed"] == "5" && c.metadata["layout"] == "PDEBench" && c.metadata["generator"]?.hasPrefix("htsr ") == true)
            let inspect = try HTSRBinary.run(["data", "inspect", out])
            #expect(inspect.status == 0)
            #expect(inspect.stdout.contains("samples: \(run.shapes["tensor"]![0])   time steps: \(run.shapes["tensor"]![1])"))
            #expect(inspect.stdout.contains("attribute seed: 5"))
        }
        #expect(tmp.contents == ["f0.h5", "f1.h5", "f2.h5"])
    }

    /// The same seed gives the same file byte for byte, whatever the thread count; another
    /// seed gives other data.
    @Test func reproducibleAcrossThreadCounts() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let base = ["data", "darcy", "--samples", "3", "--resolution", "8"]
        #expect(try HTSRBinary.run(base + ["--seed", "7", "--threads", "1", "--out", tmp.path("a.h5")]).status == 0)
        #expect(try HTSRBinary.run(base + ["--seed", "7", "--threads", "3", "--out", tmp.path("b.h5")]).status == 0)
        #expect(try HTSRBinary.run(base + ["--seed", "8", "--out", tmp.path("c.h5")]).status == 0)
        let a = FileManager.default.contents(atPath: tmp.path("a.h5")), b = FileManager.default.contents(atPath: tmp.path("b.h5"))
        #expect(a != nil && a == b)
        let nu = { (p: String) throws -> [Float] in let c = try Checkpoint.open(p); return try c.readFloats(c.tensor(named: "nu")!) }
        #expect(try nu(tmp.path("a.h5")) != nu(tmp.path("c.h5")))
    }

    /// Bad arguments exit 64; bad values and unwritable outputs exit 1 with one line naming the
    /// problem, and leave no file (not even a temporary one) behind.
    @Test func errorsAreOneLineAndLeaveNothing() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let missingSeed = try HTSRBinary.run(["data", "burgers", "--samples", "2", "--out", tmp.path("x.h5")])
        #expect(missingSeed.status == 64)
        let zero = try HTSRBinary.run(["data", "darcy", "--samples", "0", "--seed", "1", "--out", tmp.path("x.h5")])
        #expect(zero.status == 64)
        let viscosity = try HTSRBinary.run(["data", "burgers", "--samples", "2", "--seed", "1", "--viscosity=-1", "--out", tmp.path("x.h5")])
        #expect(viscosity.status == 64)
        #expect(viscosity.stderr.contains("--viscosity -1: must be") && viscosity.stderr.split(separator: "\n").count == 1)
        let folder = try HTSRBinary.run(["data", "darcy", "--samples", "1", "--resolution", "4", "--seed", "1", "--out", tmp.path("no/such/x.h5")])
        #expect(folder.status == 1 && folder.stderr.contains("does not exist"))
        let odd = try HTSRBinary.run(["data", "navier-stokes", "--samples", "1", "--resolution", "7", "--seed", "1", "--out", tmp.path("x.h5")])
        #expect(odd.status == 64 && odd.stderr.contains("--resolution 7: must be even"))
        try Data("plain text".utf8).write(to: URL(fileURLWithPath: tmp.path("t.h5")))
        let inspect = try HTSRBinary.run(["data", "inspect", tmp.path("t.h5")])
        #expect(inspect.status == 1 && inspect.stderr.contains(tmp.path("t.h5")))
        #expect(tmp.contents == ["t.h5"])
    }

    /// Ctrl-C during a long generation exits 130 and removes the temporary file.
    @Test func interruptionLeavesNoTemporaryFile() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HTSRBinary.path)
        p.arguments = ["data", "navier-stokes", "--samples", "100000", "--resolution", "16", "--seed", "1", "--out", tmp.path("x.h5")]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while tmp.contents.isEmpty && Date() < deadline && p.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        #expect(tmp.contents.count == 1 && tmp.contents[0].hasPrefix(".x.h5."))
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 130)
        #expect(tmp.contents.isEmpty)
    }
}
