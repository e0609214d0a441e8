import Checkpoint
import Foundation
import Testing

@Suite struct FNOEndToEnd {
    /// `htsr data darcy` then `htsr fno train` on it: exit 0, a summary, a log and the weights.
    @Test func trainsOnGeneratedDarcy() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let data = tmp.path("darcy.h5")
        let g = try HTSRBinary.run(["data", "darcy", "--samples", "10", "--resolution", "8", "--seed", "1", "--out", data])
        #expect(g.status == 0, "\(g.stderr)")
        let out = tmp.path("run")
        let r = try HTSRBinary.run(["fno", "train", "--data", data, "--test-samples", "2", "--validation-samples", "2",
                                    "--width", "4", "--modes", "3", "--projection", "8", "--epochs", "2", "--batch-size", "3",
                                    "--policy", "tempbalance", "--darcy-scale", "100", "--quiet", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("fno2d on \(data): 6 training") && r.stdout.contains("test nRMSE"))
        let log = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(log.count == 4 && log[0].contains("\"task\":\"regression\""))
        #expect(try Checkpoint.open(out + "/model.safetensors").tensors.contains { $0.name == "conv3.weights2" })
    }

    /// Compressible flow (four fields): the summary and the log's final line give the test nRMSE
    /// per field and the persistence reference (the last context frame held); Darcy has neither.
    @Test func multiFieldRunsReportEachFieldAndPersistence() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let data = tmp.path("cfd.h5")
        let g = try HTSRBinary.run(["data", "cfd", "--samples", "8", "--resolution", "8", "--steps", "5", "--seed", "1", "--out", data])
        #expect(g.status == 0, "\(g.stderr)")
        let out = tmp.path("run")
        let r = try HTSRBinary.run(["fno", "train", "--data", data, "--test-samples", "2", "--validation-samples", "2",
                                    "--initial-step", "2", "--width", "4", "--modes", "3", "--projection", "8", "--epochs", "2",
                                    "--batch-size", "2", "--quiet", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let perField = r.stdout.split(separator: "\n").first { $0.hasPrefix("test nRMSE per field: ") }
        #expect(perField?.contains("density ") == true && perField?.contains("Vx ") == true && perField?.contains("pressure ") == true,
                "\(r.stdout)")
        #expect(r.stdout.contains("persistence reference (the last context frame held): test nRMSE "))
        let final = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n").last ?? ""
        #expect(final.contains("\"test_nrmse_pressure\"") && final.contains("\"test_nrmse_persistence\""), "\(final)")

        let darcy = tmp.path("darcy.h5")
        #expect(try HTSRBinary.run(["data", "darcy", "--samples", "8", "--resolution", "8", "--seed", "1", "--out", darcy]).status == 0)
        let d = try HTSRBinary.run(["fno", "train", "--data", darcy, "--test-samples", "2", "--validation-samples", "2",
                                    "--width", "4", "--modes", "3", "--projection", "8", "--epochs", "1", "--batch-size", "2",
                                    "--quiet", "--out", tmp.path("darcy-run")])
        #expect(d.status == 0 && !d.stdout.contains("per field") && !d.stdout.contains("persistence"), "\(d.stdout)\(d.stderr)")
    }

    /// A data file of the wrong layout: exit 1, one line naming the file, no output folder.
    @Test func wrongLayoutFails() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let bad = tmp.path("bad.h5")
        let w = try HDF5Writer(path: bad)
        try w.writeDataset("velocity", shape: [3, 4, 4], values: [Float](repeating: 1, count: 48))
        try w.commit()
        let r = try HTSRBinary.run(["fno", "train", "--data", bad, "--out", tmp.path("run")])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("Error: \(bad): "), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("run")))
        let missing = try HTSRBinary.run(["fno", "train", "--data", tmp.path("none.h5"), "--out", tmp.path("run")])
        #expect(missing.status == 1 && missing.stderr.split(separator: "\n").count == 1)
    }

    /// The experiment's grid is checked before any run: a bad value is a usage error (64) naming it.
    @Test func experimentGridIsValidated() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        for (args, fragment) in [(["--lrs", "0.001,-1,2"], "--lrs 0.001,-1,2: must be a list of finite numbers in (0, 10]"),
                                 (["--lrs", "0.001,x"], "--lrs"),
                                 (["--lrs", "0.001,0.002,0.003"], "geometric"),
                                 (["--train-samples", "0"], "--train-samples"),
                                 (["--seeds", "1"], "--seeds has 1 values; their number must be an integer in [2, 1000]"),
                                 (["--scales", "0.25,0.5,1", "--reference-scales", "2"], "reference scale"),
                                 (["--evaluations", "0"], "--evaluations"),
                                 (["--selection-seeds", "1"], "--selection-seeds"),
                                 (["--seeds", "1,2,3", "--selection-seeds", "4"], "--selection-seeds")] {
            let r = try HTSRBinary.run(["fno", "experiment", "--data", tmp.path("none.h5"), "--name", "x", "--validation-samples", "2",
                                        "--lrs", "0.001,0.002,0.004", "--runs", tmp.path("runs"), "--reports", tmp.path("reports")] + args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(fragment), "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.path("runs")))
        let train = try HTSRBinary.run(["fno", "train", "--data", tmp.path("none.h5"), "--epochs", "0", "--out", tmp.path("run")])
        #expect(train.status == 64 && train.stderr.contains("--epochs"), "\(train.status) \(train.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("run")))
    }
}
