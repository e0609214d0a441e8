import Foundation
import Testing

/// Hostile inputs through the binary (issue 14, "Untrusted files"): each is exit status 1 (64
/// for a bad argument), exactly one line on stderr naming the file and the problem, nothing on
/// stdout, nothing left behind — never a crash, a hang or an allocation the file does not back.
@Suite struct UntrustedInputEndToEnd {
    static let hdf5 = HTSRBinary.packageRoot.appendingPathComponent("fixtures/hdf5")
    static func fixture(_ name: String) -> String { hdf5.appendingPathComponent(name).path }
    /// Short worker time limit: the hanging files are met in seconds.
    static let environment = ["HTSR_HDF5_TIME_LIMIT": "3"]

    /// One clean failure: status, one stderr line naming `file` and containing `problem`.
    func expectClean(_ r: HTSRBinary.Result, file: String, problem: String, status: Int32 = 1,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(problem), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "\(r.stdout)", sourceLocation: sourceLocation)
    }

    /// Files that make libhdf5 1.10.8 segfault or loop (byte flips of real files, found by
    /// Scripts/hdf5-flip-sweep): the worker dies or is killed; htsr reports it and goes on to exit 1.
    @Test(arguments: [
        ("crash-keras2-weights-at-1005-ff.h5", "unreadable HDF5 (libhdf5 crashed: signal 11"),
        ("crash-keras2-weights-at-2076-ff.h5", "unreadable HDF5 (libhdf5 crashed: signal 11"),
        ("crash-keras2-weights-at-2106-01.h5", "unreadable HDF5 (libhdf5 crashed: signal 11"),
        ("hang-keras2-weights-at-2104-00.h5", "unreadable HDF5 (libhdf5 timed out after 3 s"),
        ("hang-keras2-weights-at-2129-0e.h5", "unreadable HDF5 (libhdf5 timed out after 3 s"),
        ("crash-in-archive.keras", "model.weights.h5: unreadable HDF5 (libhdf5 crashed: signal 11"),
        ("contiguous-lie.h5", "dataset 'w' needs 4194304 bytes at offset"),
        ("partial-chunked.h5", "dataset 'w' declares 16384 bytes but stores only 1024"),
        ("external.h5", "dataset 'w' keeps its data in external files"),
    ])
    func corruptHDF5Checkpoints(_ name: String, _ problem: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["analyze", Self.fixture(name), "-o", tmp.path("out.json")], environment: Self.environment)
        expectClean(r, file: name, problem: problem)
        #expect(tmp.contents.isEmpty)
    }

    /// PDE data files go through the same worker: `data inspect` and `fno`.
    @Test(arguments: [
        ("crash-burgers-at-1020-ff.h5", "unreadable HDF5 (libhdf5 crashed: signal 11"),
        ("crash-burgers-at-6261-ff.h5", "unreadable HDF5 (libhdf5 crashed: signal 11"),
        ("lie-burgers-at-833-ff.h5", "declares 16712192 bytes but stores 491 compressed bytes"),
        ("lie-burgers-at-893-ff.h5", "declares 8356352 bytes but stores 491 compressed bytes"),
    ])
    func corruptPDEFiles(_ name: String, _ problem: String) throws {
        expectClean(try HTSRBinary.run(["data", "inspect", Self.fixture(name)], environment: Self.environment), file: name, problem: problem)
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["fno", "train", "--data", Self.fixture(name), "--out", tmp.path("run"), "--epochs", "1",
                                    "--test-samples", "1", "--validation-samples", "0"], environment: Self.environment)
        #expect(r.status == 1 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(name), "\(r.stderr)")
        #expect(tmp.contents.isEmpty, "\(tmp.contents)")
    }

    /// A dataset never written is skipped with its reason; the rest of the file is analysed.
    @Test func unwrittenDatasetsAreSkipped() throws {
        for name in ["unallocated.h5", "unallocated-chunked.h5"] {
            let r = try HTSRBinary.run(["analyze", Self.fixture(name), "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let layers = (json?["layers"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            let skipped = (json?["skipped"] as? [[String: Any]])?.map { "\($0["name"] ?? ""): \($0["reason"] ?? "")" }
            #expect(layers == ["v"] && skipped == ["w: no stored data"], "\(r.stdout)")
        }
    }

    /// A FIFO where a file is read fails at once (it used to wait for a writer for ever).
    @Test func fifoInputsFailAtOnce() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let fifo = tmp.path("input")
        #expect(mkfifo(fifo, 0o600) == 0)
        let runs: [[String]] = [
            ["analyze", fifo], ["data", "inspect", fifo], ["compare", fifo, fifo], ["policy", fifo + ".json"],
            ["tokenize", fifo + ".json", "--input", "-"], ["plot", fifo, "--out", tmp.path("figures")],
            ["tokenize", HTSRBinary.packageRoot.appendingPathComponent("fixtures/fuzz/tokenizer-json/tiny.json").path, "--input", fifo],
        ]
        if mkfifo(fifo + ".json", 0o600) != 0 { Issue.record("mkfifo") }
        for args in runs {
            let r = try HTSRBinary.run(args, timeout: 60, stdin: "/dev/null")
            #expect(r.status == 1, "\(args): exit \(r.status): \(r.stderr)")
            // policy reads its analysis through the CLI's reader (file or standard input), which says less.
            let problem = args[0] == "policy" ? "cannot read the file" : "is a FIFO (named pipe), not a regular file"
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(problem) && r.stderr.contains(fifo), "\(args): \(r.stderr)")
        }
        #expect(tmp.contents == ["input", "input.json"])
    }

    /// The fine-tuner's inputs (config.json, the vocabulary, the data file) are opened the same
    /// way: a FIFO in their place fails at once; its buffers and a tokenizer's id table are
    /// checked against --max-memory before allocation.
    @Test func finetuneAndTokenizeInputs() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let tiny = HTSRBinary.packageRoot.appendingPathComponent("fixtures/bert-golden/tiny").path
        let csv = HTSRBinary.packageRoot.appendingPathComponent("fixtures/finetune/tiny-topics.csv").path
        func finetune(_ model: String, data: String = csv, _ extra: [String] = []) throws -> HTSRBinary.Result {
            try HTSRBinary.run(["finetune", model, "--data", data, "--train-count", "24", "--validation-count", "12", "--epochs", "1",
                                "--batch-size", "8", "--max-length", "16", "--out", tmp.path("run"), "-q"] + extra, timeout: 120, stdin: "/dev/null")
        }
        for (replaced, name) in [("config.json", "config"), ("vocab.txt", "vocab")] {
            let model = tmp.path("model-" + name)
            try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
            for f in ["config.json", "model.safetensors", "vocab.txt"] where f != replaced {
                try FileManager.default.copyItem(atPath: tiny + "/" + f, toPath: model + "/" + f)
            }
            #expect(mkfifo(model + "/" + replaced, 0o600) == 0)
            expectClean(try finetune(model), file: model + "/" + replaced, problem: "is a FIFO (named pipe), not a regular file")
        }
        let fifo = tmp.path("data.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        expectClean(try finetune(tiny, data: fifo), file: fifo, problem: "is a FIFO (named pipe), not a regular file")
        let budget = try finetune(tiny, ["--max-memory", "64k"])
        #expect(budget.status == 1 && budget.stderr.split(separator: "\n").count == 1
                && budget.stderr.contains("more than the memory budget of 64 KiB"), "\(budget.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("run")))
        // A tokenizer.json whose one id of 2³¹ − 2 asks for a 32 GiB id table.
        var json = try String(contentsOfFile: HTSRBinary.packageRoot.appendingPathComponent("fixtures/fuzz/tokenizer-json/tiny.json").path, encoding: .utf8)
        let vocab = try #require(json.range(of: #""vocab": {"#))
        json.replaceSubrange(vocab, with: #""vocab": {"sparse": 2147483646, "#)
        try json.write(toFile: tmp.path("tokenizer.json"), atomically: false, encoding: .utf8)
        try "a b\n".write(toFile: tmp.path("input.txt"), atomically: false, encoding: .utf8)
        expectClean(try HTSRBinary.run(["tokenize", tmp.path("tokenizer.json"), "--input", tmp.path("input.txt"), "--max-memory", "1G"]),
                    file: "tokenizer.json", problem: "model.vocab: the id table of")
        // One line longer than a quarter of the budget (a file without newlines), and a whole file beyond it.
        let line = Data(repeating: 0x61, count: 8 << 20)
        try line.write(to: URL(fileURLWithPath: tmp.path("line.txt")))
        try line.write(to: URL(fileURLWithPath: tmp.path("line.csv")))
        let tokenizer = HTSRBinary.packageRoot.appendingPathComponent("fixtures/fuzz/tokenizer-json/tiny.json").path
        expectClean(try HTSRBinary.run(["tokenize", tokenizer, "--input", tmp.path("line.txt"), "--max-memory", "4M"]),
                    file: "line.txt", problem: "line 1: a line of more than")
        expectClean(try finetune(tiny, data: tmp.path("line.csv"), ["--max-memory", "4M"]),
                    file: "line.csv", problem: "exceeds the limit of 4194304 bytes, the memory budget (4.0 MiB)")
    }

    /// A libFuzzer finding (fuzz-analysis-json): an analysis row whose shape has fewer dimensions
    /// than its kind needs trapped (index out of range) while the row was decoded.
    @Test func analysisRowShapeMustFitItsKind() throws {
        let file = HTSRBinary.packageRoot.appendingPathComponent("fixtures/fuzz/analysis-json/shape-rank-mismatch.json").path
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        for args in [["policy", file, "-o", tmp.path("policy.json")], ["compare", file, file], ["plot", file, "--out", tmp.path("figures")]] {
            expectClean(try HTSRBinary.run(args), file: "shape-rank-mismatch.json", problem: "a embedding layer has 2 dimensions, its shape [3] has 1")
        }
        #expect(tmp.contents.isEmpty)
    }

    @Test func shardsMayNotLeaveTheirFolder() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try FileManager.default.createDirectory(atPath: tmp.path("model"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: checkpoints.appendingPathComponent("sharded/model-00002-of-00002.safetensors").path,
                                         toPath: tmp.path("outside.safetensors"))
        try #"{"weight_map": {"head.bias": "../outside.safetensors"}}"#.write(toFile: tmp.path("model/model.safetensors.index.json"), atomically: false, encoding: .utf8)
        expectClean(try HTSRBinary.run(["analyze", tmp.path("model")]), file: "model.safetensors.index.json", problem: "contains a '..' component")
        try FileManager.default.createSymbolicLink(atPath: tmp.path("model/link.safetensors"), withDestinationPath: tmp.path("outside.safetensors"))
        try #"{"weight_map": {"head.bias": "link.safetensors"}}"#.write(toFile: tmp.path("model/model.safetensors.index.json"), atomically: false, encoding: .utf8)
        expectClean(try HTSRBinary.run(["analyze", tmp.path("model")]), file: "model.safetensors.index.json", problem: "outside the folder")
        // An index naming 100,000 shards that are not there: an error in about a second (the
        // map was scanned once per shard name, minutes; Scripts/hostile-sweep met it as a hang).
        let names = (0..<100_000).map { "\"t\($0)\": \"s\($0).safetensors\"" }.joined(separator: ", ")
        try "{\"weight_map\": {\(names)}}".write(toFile: tmp.path("model/model.safetensors.index.json"), atomically: false, encoding: .utf8)
        expectClean(try HTSRBinary.run(["analyze", tmp.path("model")], timeout: 60), file: "model.safetensors.index.json",
                    problem: "shard 's0.safetensors' (holding 't0') does not exist")
    }

    @Test func theMemoryBudgetIsCheckedBeforeAllocating() throws {
        let weights = checkpoints.appendingPathComponent("keras2/weights.h5").path
        let r = try HTSRBinary.run(["analyze", weights, "--max-memory", "1k"])
        #expect(r.status == 1 && r.stdout.isEmpty, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: layer '") && r.stderr.contains("more than the memory budget of 1.0 KiB")
                && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let bad = try HTSRBinary.run(["analyze", weights, "--max-memory", "lots"])
        #expect(bad.status == 64 && bad.stderr.contains("--max-memory must be a positive size"), "\(bad.stderr)")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let train = try HTSRBinary.run(["train", "--data", "digits", "--hidden", "4096,4096", "--epochs", "1", "--out", tmp.path("run"), "--max-memory", "1M"])
        #expect(train.status == 1 && train.stderr.contains("training the MLP (largest: layer fc"), "\(train.stderr)")
        #expect(tmp.contents.isEmpty)
    }

    /// Nested quantifiers that make a backtracking engine run for ever finish at once.
    @Test func layerPatternsCannotHang() throws {
        let path = HTSRBinary.packageRoot.appendingPathComponent("fixtures/formats/keras/model.keras").path
        let r = try HTSRBinary.run(["analyze", path, "--layers", "^(l|a|y|e|r|s|/|[a-z_]+)+(x|y)+$", "--format", "csv"], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        let bad = try HTSRBinary.run(["analyze", path, "--layers", "(?=lookahead)"])
        #expect(bad.status == 64 && bad.stderr.contains("lookaround"), "\(bad.stderr)")
    }

    /// A gnuplot that never reads or never exits is stopped at the figure time limit.
    @Test func aStuckGnuplotIsStopped() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        for (name, script) in [("hang", "#!/bin/sh\nexec sleep 600\n"), ("noexit", "#!/bin/sh\ngnuplot\nexec sleep 600\n")] {
            let fake = tmp.path("gnuplot-\(name)")
            try script.write(toFile: fake, atomically: false, encoding: .utf8)
            chmod(fake, 0o755)
            let start = Date()
            let r = try HTSRBinary.run(["plot", checkpoints.appendingPathComponent("keras2/weights.h5").path, "--out", tmp.path("figures"),
                                        "--figure-time-limit", "1"], timeout: 60, environment: ["HTSR_GNUPLOT": fake])
            #expect(r.status == 1 && r.stderr.split(separator: "\n").count == 1, "\(name): \(r.stderr)")
            #expect(r.stderr.contains(name == "hang" ? "did not finish the figure within 1 s" : "did not exit within 1 s"), "\(name): \(r.stderr)")
            #expect(Date().timeIntervalSince(start) < 30)
            #expect(!FileManager.default.fileExists(atPath: tmp.path("figures")), "\(name)")
        }
    }
}
