import Checkpoint
import Foundation
import Testing

/// `htsr finetune` as a user runs it, on the tiny BERT of the golden fixture (with its 30-word
/// vocabulary) and a small topic CSV.
@Suite(.serialized) struct FinetuneEndToEndTests {
    static let tiny = HTSRBinary.packageRoot.appendingPathComponent("fixtures/bert-golden/tiny").path
    static let csv = HTSRBinary.packageRoot.appendingPathComponent("fixtures/finetune/tiny-topics.csv").path

    static func common(_ out: String) -> [String] {
        ["finetune", tiny, "--data", csv, "--train-count", "24", "--validation-count", "12", "--epochs", "2", "--batch-size", "8",
         "--max-length", "16", "--lr", "2e-3", "--seed", "4", "--out", out, "-q"]
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// A run with TempBalance writes a Hugging Face classifier folder that `htsr analyze --base`
    /// pairs with the pretrained model, and a log `htsr plot` draws.
    @Test func runAnalyzeAndPlot() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let out = tmp.path("run")
        let r = try HTSRBinary.run(Self.common(out) + ["--policy", "tempbalance", "--policy-min-evals", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 classes; 24 training / 12 validation / 18 test examples"), "\(r.stdout)")
        #expect(r.stdout.contains("test accuracy") && r.stdout.contains("TempBalance: "), "\(r.stdout)")
        for f in ["log.jsonl", "config.json", "model.safetensors", "resume/state.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f) missing")
        }
        let log = try Self.lines(out + "/log.jsonl")
        #expect(log.count == 4 && log[0]["model"] as? String == "bert" && log[3]["kind"] as? String == "final")
        #expect((log[1]["blocks"] as? [[String: Any]])?.count == 2)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as! [String: Any]
        #expect(config["architectures"] as? [String] == ["BertForSequenceClassification"])
        #expect((config["id2label"] as? [String: String])?["2"] == "tech")
        let a = try HTSRBinary.run(["analyze", out, "--base", Self.tiny, "--min-evals", "2", "--format", "json", "-o", tmp.path("delta.json"), "-q"])
        #expect(a.status == 0, "\(a.stderr)")
        let delta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path("delta.json")))) as! [String: Any]
        let comparison = try #require(delta["comparison"] as? [String: Any])
        #expect((comparison["model_only"] as? [String]) == ["classifier.weight"] || (comparison["model_only"] as? [String])?.isEmpty == true,
                "\(comparison)")
        let p = try HTSRBinary.run(["plot", out, "--out", tmp.path("figures"), "--format", "svg"])
        #expect(p.status == 0, "\(p.stderr)")
        // The fine-tuner's names in the figures' style; multipliers drawn (TempBalance moved them).
        let loss = try String(contentsOfFile: tmp.path("figures/train-loss.svg"), encoding: .utf8)
        #expect(loss.contains(">train loss<") && loss.contains(">validation loss<"), "train-loss.svg")
        let lr = try String(contentsOfFile: tmp.path("figures/train-lr.svg"), encoding: .utf8)
        #expect(lr.contains("multiplier") && !lr.contains("every multiplier is 1"), "train-lr.svg")
    }

    /// Stopped with --stop-after, then with Ctrl-C, then resumed: the same weights as one run.
    @Test func interruptAndResume() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let a = tmp.path("a"), b = tmp.path("b")
        #expect(try HTSRBinary.run(Self.common(a)).status == 0)
        let s = try HTSRBinary.run(Self.common(b) + ["--stop-after", "2"])
        #expect(s.status == 0 && s.stdout.contains("stopped; continue with --resume"), "\(s.stdout)\(s.stderr)")
        // SIGINT while it runs (many epochs so that it is still running): exit 130, resumable.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HTSRBinary.path)
        p.arguments = ["finetune", Self.tiny, "--data", Self.csv, "--train-count", "24", "--validation-count", "12", "--epochs", "400",
                       "--batch-size", "8", "--max-length", "16", "--seed", "4", "--out", tmp.path("c"), "-q"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: tmp.path("c/resume/state.safetensors")) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let log = try String(contentsOfFile: tmp.path("c/log.jsonl"), encoding: .utf8)
        #expect(!log.contains("\"final\""))
        let r = try HTSRBinary.run(Self.common(b) + ["--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        let ca = try Checkpoint.open(a + "/resume/state.safetensors"), cb = try Checkpoint.open(b + "/resume/state.safetensors")
        for t in ca.tensors { #expect(try ca.readFloats(t) == cb.readFloats(cb.tensor(named: t.name)!), "\(t.name)") }
    }

    @Test(arguments: [
        (["--lr", "nan"], 64, "--lr"),
        (["--epochs", "0"], 64, "--epochs"),
        (["--batch-size", "100000000"], 64, "--batch-size"),
        (["--train-count", "0"], 64, "--train-count"),
        (["--max-length", "1"], 64, "--max-length"),
        (["--max-length", "17"], 64, "--max-length 17: must be at most the model's max_position_embeddings 16"),
        (["--validation-ratio", "1"], 64, "--validation-ratio"),
        (["--balance-lag", "99", "--blas-threads", "2"], 64, "--blas-threads"),
        (["--balance-lag", "-1"], 64, "--balance-lag"),
        (["--tau", "nan"], 64, "--tau"),
        (["--train-count", "100000"], 1, "training"),
    ])
    func badArguments(extra: [String], status: Int32, message: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(Self.common(tmp.path("run")) + extra)
        #expect(r.status == status, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        // A bad value is a usage error (64), a bad input an error (1): either way one line, and
        // nothing written.
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("run")))
    }

    /// A model folder that lies: one line naming the file and the field or tensor, exit 1.
    @Test func badModelFolders() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let fm = FileManager.default
        func folder(_ name: String, config: (inout [String: Any]) -> Void) throws -> String {
            let dir = tmp.path(name)
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in ["model.safetensors", "vocab.txt"] { try fm.copyItem(atPath: Self.tiny + "/" + f, toPath: dir + "/" + f) }
            var c = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.tiny + "/config.json"))) as! [String: Any]
            config(&c)
            try JSONSerialization.data(withJSONObject: c).write(to: URL(fileURLWithPath: dir + "/config.json"))
            return dir
        }
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("layers", { $0["num_hidden_layers"] = 3 }, "bert.encoder.layer.2.attention.self.query.weight' is missing"),
            ("roberta", { $0["model_type"] = "roberta" }, "model_type 'roberta' is not supported"),
            ("hidden", { $0["hidden_size"] = 1 << 40 }, "field 'hidden_size'"),
            ("vocab", { $0["vocab_size"] = 20 }, "vocab_size 20"),
        ]
        for (name, edit, message) in cases {
            let dir = try folder(name, config: edit)
            var args = Self.common(tmp.path("run-" + name))
            args[1] = dir
            let r = try HTSRBinary.run(args)
            #expect(r.status == 1, "\(name): exit \(r.status): \(r.stderr)")
            #expect(r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(name): \(r.stderr)")
        }
        var args = Self.common(tmp.path("run-missing"))
        args[1] = tmp.path("nothing-here")
        let r = try HTSRBinary.run(args)
        #expect(r.status == 1 && r.stderr.contains("no such file or folder"), "\(r.stderr)")
    }
}
