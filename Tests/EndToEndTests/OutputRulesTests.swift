import Checkpoint
import Foundation
import Testing

/// Small checkpoints written into a test's temporary folder.
enum OutputFixtures {
    /// `model.safetensors`-like file: three dense layers of Gaussians (seeded), analysable with
    /// the default --min-evals.
    static func checkpoint(_ path: String, seed: UInt64 = 1, scale: Double = 1) throws {
        let tensors: [(String, [Int], [Double])] = [
            ("enc.0.weight", [48, 32], MetricFixtures.gaussian(48 * 32, seed: seed, scale: scale)),
            ("enc.1.weight", [64, 32], MetricFixtures.gaussian(64 * 32, seed: seed + 1, scale: scale)),
            ("head.weight", [32, 16], MetricFixtures.gaussian(32 * 16, seed: seed + 2, scale: scale)),
            ("head.bias", [32], MetricFixtures.gaussian(32, seed: seed + 3, scale: scale)),
        ]
        try MetricFixtures.write(tensors, to: path)
    }

    /// `a.safetensors` and `b.safetensors` (other seeds, twice the scale) in `folder`.
    static func twoCheckpoints(_ folder: TemporaryFolder) throws -> (String, String) {
        let a = folder.path("a.safetensors"), b = folder.path("b.safetensors")
        try checkpoint(a)
        try checkpoint(b, seed: 7, scale: 2)
        return (a, b)
    }

    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static func schema(_ name: String) throws -> JSONSchema {
        try JSONSchema(file: HTSRBinary.packageRoot.appendingPathComponent("docs/schema/\(name).schema.json").path)
    }

    /// The bytes of a file.
    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Every path under `folder` (relative, hidden files included), sorted.
    static func tree(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
    }
}

/// The JSON Schemas in docs/schema/ describe what htsr writes, checked against real outputs.
@Suite struct JSONSchemaTests {
    /// The validator finds what is wrong (so the schema tests below can fail).
    @Test func validatorRejectsWhatIsWrong() throws {
        let schema = try JSONSchema(try OutputFixtures.json(#"""
            {"type": "object", "required": ["a"], "additionalProperties": false,
             "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 3}, "b": {"enum": ["x", "y"]},
                            "c": {"type": "array", "items": {"$ref": "#/$defs/n"}, "minItems": 1}},
             "$defs": {"n": {"type": ["number", "null"], "exclusiveMinimum": 0}}}
            """#))
        #expect(schema.errors(try OutputFixtures.json(#"{"a": 2, "b": "x", "c": [1.5, null]}"#)).isEmpty)
        #expect(schema.errors(try OutputFixtures.json(#"{"a": 2.0}"#)).isEmpty)  // 2.0 is an integer
        for bad in [#"{"b": "x"}"#, #"{"a": 2.5}"#, #"{"a": 0}"#, #"{"a": 4}"#, #"{"a": 1e308}"#, #"{"a": 1, "b": "z"}"#,
                    #"{"a": 1, "d": 1}"#, #"{"a": 1, "c": []}"#, #"{"a": 1, "c": [0]}"#, #"{"a": 1, "c": ["s"]}"#, #"[1]"#] {
            #expect(!schema.errors(try OutputFixtures.json(bad)).isEmpty, "\(bad) passed")
        }
        #expect(throws: JSONSchema.SchemaError.self) { try JSONSchema(try OutputFixtures.json(#"{"pattern": "x"}"#)) }
    }

    /// Analyses with every option family, LoRA/--base, quantized and GGUF sources, several
    /// checkpoints (an array of analyses), comparisons and policies: all valid.
    @Test func everyJSONOutputMatchesItsSchema() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let analysis = try OutputFixtures.schema("htsr-analysis")
        let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path
        let quantized = HTSRBinary.packageRoot.appendingPathComponent("fixtures/formats/quantized").path
        let gguf = HTSRBinary.packageRoot.appendingPathComponent("fixtures/formats/gguf/types-v2.gguf").path
        _ = try OutputFixtures.twoCheckpoints(tmp)
        let runs: [[String]] = [
            [keras, "--min-evals", "2", "--mp-fit", "--randomize", "--fingers", "clip-xmax", "--farms", "--fit", "tpl"],
            [keras, "--min-evals", "2", "--no-pool", "--fit", "peak", "--small-n-fit", "--layers", "conv"],
            [quantized + "/int8.safetensors", "--min-evals", "2"],
            [quantized + "/int8.safetensors", "--base", quantized + "/float.safetensors", "--min-evals", "2"],
            [gguf, "--min-evals", "2"],
            [tmp.path("a.safetensors"), tmp.path("b.safetensors")],
        ]
        for args in runs {
            let r = try HTSRBinary.run(["analyze"] + args + ["--format", "json"])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let value = try OutputFixtures.json(r.stdout)
            for document in value.arrayValue ?? [value] {
                let errors = analysis.errors(document)
                #expect(errors.isEmpty, "\(args): \(errors.prefix(5))")
            }
        }
        // What the schema refuses: an option outside its documented range.
        let a = try HTSRBinary.run(["analyze", tmp.path("a.safetensors"), "-o", tmp.path("a.json"), "-q"])
        #expect(a.status == 0, "\(a.stderr)")
        let text = try String(contentsOfFile: tmp.path("a.json"), encoding: .utf8)
        let tampered = text.replacingOccurrences(of: "\"xmin_pos\" : 2", with: "\"xmin_pos\" : 0.5")
        let tamperedErrors = analysis.errors(try OutputFixtures.json(tampered))
        #expect(tampered != text && tamperedErrors.contains { $0.contains("/options/xmin_pos") })

        let policy = try OutputFixtures.schema("htsr-policy")
        for args in [[tmp.path("a.json")], [tmp.path("a.json"), "--scheme", "linear", "--unit", "block"], [keras, "--keep-first", "--keep-last"]] {
            let r = try HTSRBinary.run(["policy"] + args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let errors = policy.errors(try OutputFixtures.json(r.stdout))
            #expect(errors.isEmpty, "\(args): \(errors.prefix(5))")
        }
        let comparison = try OutputFixtures.schema("htsr-comparison")
        let c = try HTSRBinary.run(["compare", tmp.path("a.json"), tmp.path("b.safetensors"), "--format", "json"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(comparison.errors(try OutputFixtures.json(c.stdout)).isEmpty)
        let quantization = try OutputFixtures.schema("htsr-quantization-comparison")
        let q = try HTSRBinary.run(["analyze", "--compare-quantized", quantized + "/float.safetensors", quantized + "/int8.safetensors",
                                    "--format", "json", "--min-evals", "2"])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(quantization.errors(try OutputFixtures.json(q.stdout)).isEmpty)
    }
}

/// analyze, compare and policy write the same bytes for the same input, run after run (each
/// process has its own hash seed; several worker threads).
@Suite struct ByteIdenticalOutputs {
    @Test func sameBytesTwice() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        _ = try OutputFixtures.twoCheckpoints(tmp)
        let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path
        let commands: [[String]] = [
            ["analyze", tmp.path("a.safetensors"), "--format", "json", "--threads", "3", "--mp-fit", "--randomize", "--farms"],
            ["analyze", tmp.path("a.safetensors"), tmp.path("b.safetensors"), "--format", "json", "--threads", "3"],
            ["analyze", tmp.path("a.safetensors"), tmp.path("b.safetensors"), "--format", "csv", "--threads", "3"],
            ["analyze", keras, "--format", "json", "--min-evals", "2", "--fingers", "clip-xmax"],
            ["compare", tmp.path("a.safetensors"), tmp.path("b.safetensors"), "--format", "json", "--threads", "3"],
            ["compare", tmp.path("a.safetensors"), tmp.path("b.safetensors"), "--format", "csv", "--metric", "stable_rank"],
            ["policy", tmp.path("a.safetensors")],
            ["policy", keras, "--unit", "block", "--scheme", "linear"],
        ]
        for args in commands {
            let first = try HTSRBinary.run(args), second = try HTSRBinary.run(args)
            #expect(first.status == 0 && second.status == 0, "\(args): \(first.stderr)")
            #expect(!first.stdout.isEmpty && first.stdout == second.stdout, "\(args): the two runs differ")
        }
        // Files too (-o), byte for byte.
        for k in 0..<2 {
            let r = try HTSRBinary.run(["analyze", tmp.path("a.safetensors"), "-o", tmp.path("r\(k).json"), "-q", "--threads", "2"])
            #expect(r.status == 0)
            let p = try HTSRBinary.run(["policy", tmp.path("r\(k).json"), "-o", tmp.path("p\(k).json")])
            #expect(p.status == 0)
        }
        #expect(OutputFixtures.bytes(tmp.path("r0.json")) == OutputFixtures.bytes(tmp.path("r1.json")))
        #expect(OutputFixtures.bytes(tmp.path("p0.json")) == OutputFixtures.bytes(tmp.path("p1.json")))
    }
}

/// -o, --format, several checkpoints, standard input and output (docs/analyze.md, "Output rules").
@Suite struct OutputRules {
    @Test func formatsTargetsAndSeveralModels() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let (a, b) = try OutputFixtures.twoCheckpoints(tmp)
        // -o - is standard output in --format, once.
        let dash = try HTSRBinary.run(["analyze", a, "-o", "-", "--format", "json", "-q"])
        let dashFormat = try OutputFixtures.json(dash.stdout)["format"]?.stringValue
        #expect(dash.status == 0 && dashFormat == "htsr-analysis")
        // The file follows its extension, standard output --format.
        let both = try HTSRBinary.run(["analyze", a, "-o", tmp.path("a.csv"), "--format", "json"])
        let bothFormat = try OutputFixtures.json(both.stdout)["format"]?.stringValue
        #expect(both.status == 0 && bothFormat == "htsr-analysis")
        #expect(try String(contentsOfFile: tmp.path("a.csv"), encoding: .utf8).hasPrefix("layer_id,name,"))
        // -q: nothing on standard output when files are written.
        let quiet = try HTSRBinary.run(["analyze", a, "-o", tmp.path("q.txt"), "-q"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty)
        #expect(try String(contentsOfFile: tmp.path("q.txt"), encoding: .utf8).contains("enc.0.weight"))
        // An unknown extension is a usage error, before anything is analysed or written.
        for bad in [tmp.path("a.dat"), tmp.path("noextension")] {
            let r = try HTSRBinary.run(["analyze", a, "-o", bad])
            #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("extension"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.path("a.dat")))
        // Several checkpoints: one JSON array; one CSV with a 'model' column and one header.
        let json = try HTSRBinary.run(["analyze", a, b, "--format", "json"])
        #expect(json.status == 0)
        let array = try #require((try OutputFixtures.json(json.stdout)).arrayValue)
        #expect(array.count == 2 && array.allSatisfy { $0["format"]?.stringValue == "htsr-analysis" })
        let csv = try HTSRBinary.run(["analyze", a, b, "--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 3 + 3 && lines[0].hasPrefix("model,layer_id,name,"))
        #expect(lines.filter { $0.hasPrefix("model,") }.count == 1)
        #expect(lines[1].hasPrefix(a + ",0,enc.0.weight") && lines[4].hasPrefix(b + ",0,enc.0.weight"))
        let file = try HTSRBinary.run(["analyze", a, b, "-o", tmp.path("both.csv"), "-q"])
        let bothCSV = try String(contentsOfFile: tmp.path("both.csv"), encoding: .utf8)
        #expect(file.status == 0 && bothCSV == csv.stdout)
        // -o DIR/ creates the folder; one file per checkpoint in --format, tables as .txt.
        let folder = try HTSRBinary.run(["analyze", a, b, "-o", tmp.url.path + "/new/deeper/", "-q"])
        #expect(folder.status == 0, "\(folder.stderr)")
        #expect(OutputFixtures.tree(tmp.path("new/deeper")) == ["a.txt", "b.txt"])
        let jsonFolder = try HTSRBinary.run(["analyze", a, "-o", tmp.path("new/deeper"), "--format", "json", "-q"])
        #expect(jsonFolder.status == 0 && OutputFixtures.tree(tmp.path("new/deeper")) == ["a.json", "a.txt", "b.txt"])
        // Two checkpoints with the same name cannot share a folder.
        try FileManager.default.createDirectory(atPath: tmp.path("x"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: a, toPath: tmp.path("x/a.safetensors"))
        let clash = try HTSRBinary.run(["analyze", a, tmp.path("x/a.safetensors"), "-o", tmp.url.path + "/clash/"])
        #expect(clash.status == 64 && !FileManager.default.fileExists(atPath: tmp.path("clash")))
    }

    /// `-` reads an analysis from standard input; compare takes checkpoints and -o.
    @Test func standardInputAndCompare() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let (a, b) = try OutputFixtures.twoCheckpoints(tmp)
        #expect(try HTSRBinary.run(["analyze", a, "-o", tmp.path("a.json"), "-q"]).status == 0)
        #expect(try HTSRBinary.run(["analyze", b, "-o", tmp.path("b.json"), "-q"]).status == 0)
        let fromFile = try HTSRBinary.run(["policy", tmp.path("a.json")])
        let fromStdin = try HTSRBinary.run(["policy", "-"], stdin: tmp.path("a.json"))
        #expect(fromStdin.status == 0 && fromFile.status == 0, "\(fromStdin.stderr)")
        // The same policy except where the source is named.
        #expect(fromStdin.stdout.replacingOccurrences(of: tmp.path("a.json"), with: "") ==
                fromFile.stdout.replacingOccurrences(of: tmp.path("a.json"), with: ""))
        let stdinCompare = try HTSRBinary.run(["compare", "-", tmp.path("b.json"), "--format", "csv"], stdin: tmp.path("a.json"))
        let checkpointCompare = try HTSRBinary.run(["compare", a, b, "--format", "csv"])
        let fileCompare = try HTSRBinary.run(["compare", tmp.path("a.json"), tmp.path("b.json"), "--format", "csv", "-o", tmp.path("c.csv")])
        #expect(stdinCompare.status == 0 && checkpointCompare.status == 0 && fileCompare.status == 0, "\(checkpointCompare.stderr)")
        #expect(stdinCompare.stdout == checkpointCompare.stdout && fileCompare.stdout == checkpointCompare.stdout)
        #expect(try String(contentsOfFile: tmp.path("c.csv"), encoding: .utf8) == checkpointCompare.stdout)
        #expect(checkpointCompare.stdout.hasPrefix("name,alpha_a,alpha_b,delta\n"))
        // Standard input once; an array of several analyses is not one analysis.
        let twice = try HTSRBinary.run(["compare", "-", "-"], stdin: tmp.path("a.json"))
        #expect(twice.status == 64 && twice.stderr.split(separator: "\n").count == 1)
        #expect(try HTSRBinary.run(["analyze", a, b, "--format", "json", "-o", tmp.path("ab.json"), "-q"]).status == 0)
        let several = try HTSRBinary.run(["policy", "-"], stdin: tmp.path("ab.json"))
        #expect(several.status == 1 && several.stderr.contains("holds 2 analyses"), "\(several.stderr)")
        let policyExt = try HTSRBinary.run(["policy", tmp.path("a.json"), "-o", tmp.path("p.csv")])
        #expect(policyExt.status == 64 && policyExt.stderr.contains("'.csv'"))
    }
}

/// An output never replaces an input (exit 64 before anything is written), and report replaces
/// only folders htsr made.
@Suite struct OutputsNeverDestroyInputs {
    @Test func outputOntoInputIsAUsageError() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let fm = FileManager.default
        let model = tmp.path("m/model.safetensors")
        try fm.createDirectory(atPath: tmp.path("m"), withIntermediateDirectories: true)
        try OutputFixtures.checkpoint(model)
        #expect(try HTSRBinary.run(["analyze", model, "-o", tmp.path("a.json"), "-q"]).status == 0)
        try fm.createSymbolicLink(atPath: tmp.path("link.json"), withDestinationPath: model)
        try fm.linkItem(atPath: model, toPath: tmp.path("hard.csv"))
        try fm.createSymbolicLink(atPath: tmp.path("mlink"), withDestinationPath: tmp.path("m"))
        try fm.createDirectory(atPath: tmp.path("report"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: tmp.path("a.json"), toPath: tmp.path("report/a.json"))
        let before = OutputFixtures.tree(tmp.url.path), modelBytes = OutputFixtures.bytes(model), analysisBytes = OutputFixtures.bytes(tmp.path("a.json"))
        let cases: [[String]] = [
            ["analyze", model, "-o", tmp.path("link.json")],                     // a symbolic link to the input
            ["analyze", model, "-o", tmp.path("hard.csv")],                      // a hard link to it
            ["analyze", tmp.path("m"), "-o", tmp.path("m/a.json")],              // inside the input folder
            ["analyze", tmp.path("m"), "-o", tmp.path("mlink/a.json")],          // …through a linked folder
            ["analyze", tmp.path("m"), "-o", tmp.path("m/")],                    // the input folder itself
            ["analyze", tmp.path("m"), "--save-eigenvalues", tmp.path("m/eig")],
            ["analyze", model, "--base", tmp.path("m"), "-o", tmp.path("mlink/b.json")],
            ["policy", tmp.path("a.json"), "-o", tmp.path("a.json")],            // the same path
            ["compare", tmp.path("a.json"), model, "-o", tmp.path("a.json")],
            ["compare", tmp.path("m"), model, "-o", tmp.path("m/c.json")],
            ["plot", tmp.path("m"), "--out", tmp.path("m/figures")],
            ["report", tmp.path("report/a.json"), "--out", tmp.path("report")],  // replaced whole, holding its input
            ["report", model, "--out", tmp.path("m")],
            ["train", "--init", model, "--out", tmp.path("m"), "--data-dir", tmp.path("nodata")],
            ["train", "--out", tmp.path("m/run"), "--data-dir", tmp.path("m")],
            ["fno", "train", "--data", model, "--out", tmp.path("m")],
        ]
        for args in cases {
            let r = try HTSRBinary.run(args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args)")
        }
        #expect(OutputFixtures.tree(tmp.url.path) == before)
        #expect(OutputFixtures.bytes(model) == modelBytes && OutputFixtures.bytes(tmp.path("a.json")) == analysisBytes)
    }

    /// A report folder is replaced only when every file in it is one htsr wrote there.
    @Test func reportReplacesOnlyItsOwnFolder() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path
        let out = tmp.path("report")
        let first = try HTSRBinary.run(["report", keras, "--out", out, "-q", "--figures", "alpha-histogram"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/.htsr-output"))
        let again = try HTSRBinary.run(["report", keras, "--out", out, "-q", "--figures", "alpha-histogram"])
        #expect(again.status == 0, "\(again.stderr)")
        // A checkpoint kept in the old report: the folder is not htsr's alone any more.
        try FileManager.default.copyItem(atPath: keras, toPath: out + "/keep.h5")
        let refused = try HTSRBinary.run(["report", keras, "--out", out, "-q", "--figures", "alpha-histogram"])
        #expect(refused.status == 1 && refused.stderr.contains("keep.h5") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(OutputFixtures.bytes(out + "/keep.h5") == OutputFixtures.bytes(keras))
        #expect(tmp.contents == ["report"])
    }
}
