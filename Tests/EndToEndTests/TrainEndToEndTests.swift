import Checkpoint
import Foundation
import Testing

/// `htsr train`, `htsr policy` and `htsr experiment` as a user runs them.
@Suite(.serialized) struct TrainEndToEndTests {
    static let dataDir = HTSRBinary.packageRoot.appendingPathComponent(".cache/data").path

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Train with TempBalance on digits, then analyse the checkpoint and build a policy from it.
    @Test func trainThenAnalyzeThenPolicy() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let out = tmp.path("run")
        let r = try HTSRBinary.run(["train", "--data", "digits", "--data-dir", Self.dataDir, "--hidden", "96,96,96,96",
                                    "--epochs", "4", "--lr", "0.1", "--policy", "tempbalance", "--seed", "3", "--out", out, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("TempBalance balanced fc2, fc3, fc4"))
        for f in ["log.jsonl", "model.safetensors", "best.safetensors", "resume.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f) missing")
        }
        let log = try Self.lines(out + "/log.jsonl")
        #expect(log.first?["format"] as? String == "htsr-train-log" && log.first?["policy"] as? String == "tempbalance")
        #expect(log.first?["layers"] as? [String] == ["fc1", "fc2", "fc3", "fc4", "fc5"])
        let interval = log[1]
        let layers = try #require(interval["layers"] as? [[String: Any]])
        #expect(layers.count == 5 && layers[0]["alpha"] is NSNull && layers[2]["alpha"] is Double)
        #expect(log.last?["kind"] as? String == "final")
        // The checkpoint is a normal safetensors file that htsr analyze reads.
        let a = try HTSRBinary.run(["analyze", out + "/model.safetensors", "--format", "json", "--min-evals", "2", "-o", tmp.path("a.json"), "-q"])
        #expect(a.status == 0, "\(a.stderr)")
        let p = try HTSRBinary.run(["policy", tmp.path("a.json"), "--scheme", "linear", "-o", tmp.path("policy.json")])
        #expect(p.status == 0, "\(p.stderr)")
        let policy = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path("policy.json")))) as! [String: Any]
        let params = try #require(policy["parameters"] as? [String: Double])
        #expect(params.count == 10 && params["fc1.weight"] == 1 && params["fc5.bias"] == 1)
        let balanced = ["fc2", "fc3", "fc4"].map { params[$0 + ".weight"]! }
        #expect(balanced.min() == 0.5 && balanced.max() == 1.5)
        #expect(params["fc3.bias"] == params["fc3.weight"])
        // The same policy straight from the checkpoint.
        let q = try HTSRBinary.run(["policy", out + "/model.safetensors", "--scheme", "linear"])
        #expect(q.status == 0 && q.stdout.contains("\"fc2.weight\""))
    }

    @Test func resumeAndInitFromTheCommandLine() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let common = ["train", "--data", "digits", "--data-dir", Self.dataDir, "--hidden", "32,32", "--steps", "30",
                      "--log-every", "10", "--seed", "2", "-q"]
        #expect(try HTSRBinary.run(common + ["--out", tmp.path("a")]).status == 0)
        #expect(try HTSRBinary.run(common + ["--out", tmp.path("b"), "--stop-after", "12"]).status == 0)
        let r = try HTSRBinary.run(common + ["--out", tmp.path("b"), "--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        // Same weights, bit for bit (the metadata differ: they record each run's options).
        let a = try Checkpoint.open(tmp.path("a/model.safetensors")), b = try Checkpoint.open(tmp.path("b/model.safetensors"))
        #expect(a.tensors.count == 6)   // fc1…fc3 weight and bias
        for t in a.tensors { #expect(try a.readFloats(t) == b.readFloats(b.tensor(named: t.name)!)) }
        // Fine-tune from the trained checkpoint on another data ratio.
        let f = try HTSRBinary.run(["train", "--data", "digits", "--data-dir", Self.dataDir, "--hidden", "32,32", "--steps", "5",
                                    "--train-ratio", "0.05", "--init", tmp.path("a/model.safetensors"), "--out", tmp.path("f"), "-q"])
        #expect(f.status == 0, "\(f.stderr)")
    }

    /// Bad inputs: one line naming the problem, a non-zero exit, no crash.
    @Test func badInputs() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        func expectOneLineError(_ args: [String], _ fragments: [String], status: Int32 = 1) throws {
            let r = try HTSRBinary.run(args)
            #expect(r.status == status, "\(args): status \(r.status), \(r.stderr)")
            let text = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            if status == 1 { #expect(!text.contains("\n"), "\(args): more than one line: \(text)") }
            for f in fragments { #expect(text.contains(f), "\(args): '\(f)' not in: \(text)") }
        }
        try expectOneLineError(["train", "--data", "fashion", "--data-dir", tmp.path("none"), "--out", tmp.path("x")],
                               ["train-images-idx3-ubyte.gz", "Scripts/setup"])
        try "garbage".write(toFile: tmp.path("bad.safetensors"), atomically: true, encoding: .utf8)
        try expectOneLineError(["train", "--data-dir", Self.dataDir, "--init", tmp.path("bad.safetensors"), "--out", tmp.path("x")],
                               ["bad.safetensors"])
        // A checkpoint of another architecture: the wrong shape is named.
        #expect(try HTSRBinary.run(["train", "--data", "digits", "--data-dir", Self.dataDir, "--hidden", "16", "--steps", "2",
                                    "--out", tmp.path("small"), "-q"]).status == 0)
        try expectOneLineError(["train", "--data-dir", Self.dataDir, "--hidden", "32", "--init", tmp.path("small/model.safetensors"),
                                "--out", tmp.path("x")], ["fc1.weight", "[16, 64]", "[32, 64]"])
        try expectOneLineError(["train", "--data-dir", Self.dataDir, "--out", tmp.path("never"), "--resume"], ["resume.safetensors"])
        try expectOneLineError(["train", "--hidden", "64,x", "--out", tmp.path("x")], ["--hidden"], status: 64)
        try expectOneLineError(["experiment", "--name", "x", "--lrs", "0.01,0,0.02", "--validation-per-class", "5", "--runs", tmp.path("runs"),
                                "--reports", tmp.path("reports")], ["--lrs 0.01,0,0.02: must be"], status: 64)
        try expectOneLineError(["experiment", "--name", "x", "--lrs", "0.01,0.02,0.04", "--runs", tmp.path("runs"), "--reports", tmp.path("reports")],
                               ["--validation-per-class"], status: 64)
        #expect(!FileManager.default.fileExists(atPath: tmp.path("runs")))
        try expectOneLineError(["policy", tmp.path("missing.json")], ["missing.json"])
        #expect(!FileManager.default.fileExists(atPath: tmp.path("x/model.safetensors")))
    }

    /// The protocol end to end on a tiny setting: four arms on one grid each, the page, the CSV
    /// of every run and both figures.
    @Test func experimentWritesTableAndFigureData() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["experiment", "--data", "digits", "--data-dir", Self.dataDir, "--name", "tiny", "--hidden", "64,64,64,64",
                                    "--sizes", "2", "--validation-per-class", "10", "--seeds", "1,2", "--lrs", "0.025,0.05,0.1",
                                    "--max-extensions", "0", "--min-steps", "10", "--max-steps", "10", "--epochs", "1", "--scheme", "linear",
                                    "--balance-every", "epoch", "--runs", tmp.path("runs"), "--reports", tmp.path("reports")], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOfFile: tmp.path("reports/tiny.md"), encoding: .utf8)
        for row in ["| 20 examples (2 per class) | baseline |", "| TB frozen |", "| TB uniform |", "| TempBalance − baseline |", "**Cost**"] {
            #expect(md.contains(row), "\(row)")
        }
        let csv = try String(contentsOfFile: tmp.path("reports/tiny.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 4 * 3 * 2)
        for f in ["tiny-curves.dat", "tiny-paired.dat", "tiny-curves.png", "tiny-paired.png"] {
            #expect(FileManager.default.fileExists(atPath: tmp.path("reports/" + f)), "\(f)")
        }
        // A rerun trains nothing: every run is read back.
        let again = try HTSRBinary.run(["experiment", "--data", "digits", "--data-dir", Self.dataDir, "--name", "tiny", "--hidden", "64,64,64,64",
                                        "--sizes", "2", "--validation-per-class", "10", "--seeds", "1,2", "--lrs", "0.025,0.05,0.1",
                                        "--max-extensions", "0", "--min-steps", "10", "--max-steps", "10", "--epochs", "1", "--scheme", "linear",
                                        "--balance-every", "epoch", "--runs", tmp.path("runs"), "--reports", tmp.path("reports")], timeout: 300)
        #expect(again.status == 0 && !again.stderr.contains("validation "), "\(again.stderr)")
        #expect(try String(contentsOfFile: tmp.path("reports/tiny.csv"), encoding: .utf8) == csv)
    }
}
