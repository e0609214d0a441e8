import Checkpoint
import Foundation
import Testing

let checkpoints = HTSRBinary.packageRoot.appendingPathComponent("fixtures/checkpoints")

@Suite struct AnalyzeErrors {
    /// Every malformed input: exit status 1, exactly one line on stderr naming the file and the
    /// problem, nothing on stdout, no output file written.
    @Test(arguments: [
        ("bad/archive.zip", "data.pkl at byte 0"),
        ("bad/duplicate-key.safetensors", "more than once"),
        ("bad/empty.safetensors", "empty file"),
        ("bad/gap.safetensors", "belong to no tensor"),
        ("bad/header-longer-than-file.safetensors", "larger than"),
        ("bad/header-not-object.safetensors", "must start with '{'"),
        ("bad/header-too-large.safetensors", "exceeds the limit"),
        ("bad/invalid-json.safetensors", "not valid JSON"),
        ("bad/invalid-utf8.safetensors", "UTF-8"),
        ("bad/keras2-missing-layer.h5", "does not exist"),
        ("bad/missing-shard", "does not exist"),
        ("bad/negative-dimension.safetensors", "shape entry -2"),
        ("bad/not-a-checkpoint.txt", "text file"),
        ("bad/offsets-out-of-range.safetensors", "out of range"),
        ("bad/offsets-reversed.safetensors", "before begin"),
        ("bad/overlap.safetensors", "overlaps"),
        ("bad/shape-mismatch.safetensors", "needs 12 bytes"),
        ("bad/trailing-bytes.safetensors", "trailing bytes"),
        ("bad/truncated-data.safetensors", "truncated"),
        ("bad/truncated.h5", "libhdf5 cannot open"),
        ("bad/unknown-dtype.safetensors", "unknown dtype 'Q4_K'"),
        ("bad/unmapped-tensor", "no such tensor"),
        ("does-not-exist.safetensors", "does-not-exist.safetensors"),
    ])
    func badInput(file: String, problem: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let path = checkpoints.appendingPathComponent(file).path
        let r = try HTSRBinary.run(["analyze", path, "--output", tmp.path("out.json")])
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(URL(fileURLWithPath: file).lastPathComponent), "\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(tmp.contents.isEmpty)
    }

    @Test func badArgumentsExit64WithASentence() throws {
        let path = checkpoints.appendingPathComponent("sharded/model.safetensors.index.json").path
        let r1 = try HTSRBinary.run(["analyze", path, "--xmin-pos", "0.5"])
        #expect(r1.status == 64 && r1.stderr.contains("--xmin-pos 0.5: must be a finite number in [1, 1000000]"))
        let r2 = try HTSRBinary.run(["analyze", path, "--layers", "("])
        #expect(r2.status == 64 && r2.stderr.contains("--layers '(': must be a supported regular expression ("))
        let r3 = try HTSRBinary.run(["analyze", path, path, "--output", "x.dat"])
        #expect(r3.status == 64 && r3.stderr.contains("unknown extension '.dat'"))
    }

    /// NaN/Inf in one layer: that layer is marked, the others analysed, the outputs written,
    /// one error line per bad layer, exit status 3.
    @Test func nonFiniteWeights() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        var bad = (0..<256).map { Float(sin(Double($0))) }
        bad[3] = .nan
        let good = (0..<256).map { Float(cos(Double($0) * 0.7)) }
        try SafetensorsWriter.write([WritableTensor(name: "a.weight", shape: [16, 16], floats: bad),
                                     WritableTensor(name: "b.weight", shape: [16, 16], floats: good)],
                                    metadata: [:], to: tmp.path("nan.safetensors"))
        let r = try HTSRBinary.run(["analyze", tmp.path("nan.safetensors"), "--output", tmp.path("a.json"), "--quiet"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("nan.safetensors") && r.stderr.contains("a.weight") && r.stderr.contains("1 NaN/Inf"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path("a.json")))) as! [String: Any]
        let layers = json["layers"] as! [[String: Any]]
        #expect(layers[0]["status"] as? String == "non_finite" && layers[0]["warning"] as? String == "failed")
        #expect(layers[1]["status"] as? String == "ok" && layers[1]["ks_alpha"] is Double)
    }
}

@Suite struct AnalyzeFormats {
    @Test func jsonOnStdoutAndSeveralCheckpoints() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let sharded = checkpoints.appendingPathComponent("sharded/model.safetensors.index.json").path
        let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path
        let r = try HTSRBinary.run(["analyze", sharded, "--format", "json", "--min-evals", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(json["format"] as? String == "htsr-analysis")
        // No config.json: natural name order (layer.2 before layer.10), and the output says so.
        #expect((json["layers"] as! [[String: Any]]).map { $0["name"] as! String } == ["embeddings.weight", "encoder.layer.2.weight", "encoder.layer.10.weight"])
        #expect((json["order"] as? [String: Any])?["method"] as? String == "natural")
        let r2 = try HTSRBinary.run(["analyze", sharded, keras, "--min-evals", "2", "--format", "csv", "--output", tmp.url.path + "/", "--quiet"])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(tmp.contents == ["model.weights.csv", "sharded.csv"])
        let csv = try String(contentsOfFile: tmp.path("model.weights.csv"), encoding: .utf8)
        #expect(csv.contains("layers/residual_block/layers/conv1d/vars/0,conv1d,3x8x8,keras"))
    }
}

@Suite struct AnalyzeJSONBytes {
    /// Two processes (each with its own hash seed) write the same bytes: members in declaration
    /// order, each row's columns in the analyzer's order, dictionaries sorted by key.
    @Test func sameBytesInEveryRun() throws {
        let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path
        let runs = try (0..<2).map { _ in try HTSRBinary.run(["analyze", keras, "--format", "json", "--min-evals", "2"]) }
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs.map(\.stderr))")
        #expect(runs[0].stdout == runs[1].stdout)
        let keys = try #require(try JSONParser.parse(Array(runs[0].stdout.utf8)).objectMembers).map(\.key)
        #expect(keys == ["format", "version", "tool", "source", "options", "summary", "layers", "skipped", "order"])
    }
}

@Suite struct StartUp {
    /// libhdf5 (and the 31 libraries it brings) is loaded only when an HDF5 file is opened, so it
    /// must not be among the binary's load-time dependencies; an HDF5 checkpoint still reads.
    @Test func libhdf5IsLoadedOnFirstUseOnly() throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [HTSRBinary.path]
        let out = Pipe()
        ldd.standardOutput = out
        try ldd.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        #expect(text.contains("libopenblas"), "ldd output not understood: \(text)")
        #expect(!text.contains("libhdf5"), "htsr links libhdf5 at load time:\n\(text)")
        let r = try HTSRBinary.run(["analyze", checkpoints.appendingPathComponent("keras3/model.weights.h5").path, "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 3, "\(r.stdout)")
    }
}
