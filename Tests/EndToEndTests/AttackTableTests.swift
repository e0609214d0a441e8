import Checkpoint
import Foundation
import Testing

/// The attacker's table (issue 14): every command × every numeric option × {nan, inf, -1, 0,
/// 2⁶², 1e308, an empty value or list item}; outputs onto inputs for every command that writes;
/// SIGINT and SIGTERM in the middle of every long command. Each case is classified and the
/// counts printed; a case is right when
///
/// - a value outside the range the option's `--help` documents exits 64 with one line on stderr,
///   nothing on stdout, and writes nothing;
/// - a value inside it runs to the end (status 0) leaving no temporary file;
/// - an output onto an input exits 64 with one line, and every input keeps its bytes;
/// - an interrupt exits 128 + the signal and leaves no staging folder or temporary file.
@Suite(.serialized) struct AttackTable {
    /// How one case ended.
    enum Outcome: String, CaseIterable {
        case cleanError = "clean errors", valid = "valid runs", crash = "crashes", hang = "hangs", leftovers
        case wrongSuccess = "wrong successes", wrongError = "wrong errors"
    }

    /// Counts per class, printed at the end of each test.
    final class Tally: @unchecked Sendable {  // @unchecked: every access holds `lock`
        private let lock = NSLock()
        private var counts: [Outcome: Int] = [:]
        private(set) var failures: [String] = []
        let name: String
        init(_ name: String) { self.name = name }

        func add(_ outcome: Outcome, _ detail: @autoclosure () -> String) {
            lock.lock(); defer { lock.unlock() }
            counts[outcome, default: 0] += 1
            if ![.cleanError, .valid].contains(outcome) { failures.append("\(outcome.rawValue): \(detail())") }
        }

        var tried: Int { lock.lock(); defer { lock.unlock() }; return counts.values.reduce(0, +) }

        var summary: String {
            lock.lock(); defer { lock.unlock() }
            let parts = Outcome.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }
            return "attack table, \(name): tried \(counts.values.reduce(0, +)); " + parts.joined(separator: ", ")
        }
    }

    /// The shared inputs: a small checkpoint, its analysis, a Darcy file, a text file, and for
    /// fine-tuning the tiny BERT of the golden fixture with a small topic CSV.
    final class Inputs: @unchecked Sendable {  // @unchecked: written once in init, then only read
        let folder: TemporaryFolder
        let checkpoint: String, analysis: String, darcy: String, text: String
        let dataDir = TrainEndToEndTests.dataDir
        let bert = FinetuneEndToEndTests.tiny, topics = FinetuneEndToEndTests.csv

        init() throws {
            folder = try TemporaryFolder()
            checkpoint = folder.path("inputs/t.safetensors")
            analysis = folder.path("inputs/t.json")
            darcy = folder.path("inputs/d.h5")
            text = folder.path("inputs/lines.txt")
            try FileManager.default.createDirectory(atPath: folder.path("inputs"), withIntermediateDirectories: true)
            try OutputFixtures.checkpoint(checkpoint)
            try "one line\nand another\n".write(toFile: text, atomically: true, encoding: .utf8)
            let a = try HTSRBinary.run(["analyze", checkpoint, "-o", analysis, "-q"])
            let d = try HTSRBinary.run(["data", "darcy", "--samples", "6", "--resolution", "8", "--seed", "1", "-o", darcy, "--threads", "1"])
            guard a.status == 0, d.status == 0 else { throw SetupError(description: a.stderr + d.stderr) }
        }
    }

    struct SetupError: Error, CustomStringConvertible { let description: String }

    // MARK: Numbers

    /// How a command-line value is read.
    indirect enum Kind: Sendable { case int, uint, double, float, interval, list(Kind) }

    struct NumericOption: Sendable {
        let flag: String
        let kind: Kind
        /// Arguments the option needs beside it (`--farms` for `--farms-rows`).
        var with: [String] = []
    }

    struct Command: Sendable {
        let path: [String]  // e.g. ["fno", "train"]
        let base: [String]
        let options: [NumericOption]
    }

    static let analysisOptions: [NumericOption] = [
        .init(flag: "xmin-pos", kind: .double), .init(flag: "min-evals", kind: .int), .init(flag: "max-evals", kind: .int),
        .init(flag: "max-n", kind: .int), .init(flag: "conv-norm", kind: .double), .init(flag: "threads", kind: .int),
        .init(flag: "seed", kind: .uint), .init(flag: "max-fingers", kind: .int, with: ["--fingers", "clip-xmax"]),
        .init(flag: "farms-rows", kind: .int, with: ["--farms"]), .init(flag: "farms-q", kind: .double, with: ["--farms"]),
        .init(flag: "farms-ops", kind: .int, with: ["--farms"]),
    ]
    static let policyOptions: [NumericOption] = [
        .init(flag: "lr-min-ratio", kind: .double), .init(flag: "lr-max-ratio", kind: .double), .init(flag: "s-min", kind: .double),
        .init(flag: "s-max", kind: .double), .init(flag: "tau", kind: .double), .init(flag: "policy-min-evals", kind: .int),
    ]
    /// The experiment protocol's own options (`ProtocolArguments`), seeds aside.
    static let protocolOptions: [NumericOption] = [
        .init(flag: "lrs", kind: .list(.double)), .init(flag: "max-extensions", kind: .int), .init(flag: "scales", kind: .list(.double)),
        .init(flag: "max-scale-extensions", kind: .int), .init(flag: "jobs", kind: .int),
    ]
    static let generation: [NumericOption] = [
        .init(flag: "samples", kind: .int), .init(flag: "seed", kind: .uint), .init(flag: "threads", kind: .int),
        .init(flag: "compression", kind: .int), .init(flag: "resolution", kind: .int),
    ]

    static func commands(_ i: Inputs) -> [Command] {
        let figures = ["--figures", "alpha-histogram", "--processes", "1"]
        let fnoModel = ["--width", "4", "--modes", "2", "--layers", "1", "--projection", "8", "--batch-size", "2", "--test-samples", "1", "-q"]
        return [
            Command(path: ["analyze"], base: [i.checkpoint, "-o", "out.json", "-q", "--threads", "1"], options: analysisOptions),
            Command(path: ["compare"], base: [i.checkpoint, i.checkpoint, "-o", "out.csv", "-q"], options: analysisOptions),
            Command(path: ["plot"], base: [i.analysis, "--out", "figures", "-q"] + figures,
                    options: analysisOptions + [.init(flag: "processes", kind: .int)]),
            Command(path: ["report"], base: [i.analysis, "--out", "report", "-q"] + figures,
                    options: analysisOptions + [.init(flag: "processes", kind: .int)]),
            Command(path: ["policy"], base: [i.analysis, "-o", "policy.json"],
                    options: policyOptions + [.init(flag: "xmin-pos", kind: .double)]),
            Command(path: ["train"], base: ["--data", "digits", "--data-dir", i.dataDir, "--steps", "2", "--hidden", "8", "--batch-size", "8",
                                            "--out", "run", "-q"],
                    options: [.init(flag: "hidden", kind: .list(.int)), .init(flag: "dropout", kind: .double),
                              .init(flag: "train-ratio", kind: .double), .init(flag: "per-class", kind: .int), .init(flag: "epochs", kind: .int),
                              .init(flag: "steps", kind: .int), .init(flag: "batch-size", kind: .int), .init(flag: "lr", kind: .float),
                              .init(flag: "momentum", kind: .float), .init(flag: "weight-decay", kind: .float),
                              .init(flag: "warmup-ratio", kind: .double), .init(flag: "step-size", kind: .int), .init(flag: "gamma", kind: .float),
                              .init(flag: "clip", kind: .float), .init(flag: "balance-every", kind: .interval),
                              .init(flag: "balance-lag", kind: .int), .init(flag: "xmin-pos", kind: .double), .init(flag: "seed", kind: .uint),
                              .init(flag: "log-every", kind: .int), .init(flag: "blas-threads", kind: .int),
                              .init(flag: "analysis-threads", kind: .int), .init(flag: "stop-after", kind: .int),
                              .init(flag: "validation-per-class", kind: .int),
                              .init(flag: "uniform-multiplier", kind: .double, with: ["--policy", "uniform"])] + policyOptions),
            // The protocol's seeds are left out: one seed (any value the table tries) is too few for
            // paired statistics, a count rule the end-to-end tests check.
            Command(path: ["experiment"], base: ["--name", "x", "--data", "digits", "--data-dir", i.dataDir, "--hidden", "8", "--batch-size", "8",
                                                 "--sizes", "2", "--validation-per-class", "2", "--seeds", "1,2", "--lrs", "0.01,0.02,0.04",
                                                 "--max-extensions", "0", "--jobs", "1", "--evaluations", "1",
                                                 "--min-steps", "1", "--max-steps", "2", "--runs", "runs", "--reports", "reports"],
                    options: protocolOptions + [.init(flag: "sizes", kind: .list(.int)), .init(flag: "min-steps", kind: .int),
                                                .init(flag: "max-steps", kind: .int), .init(flag: "evaluations", kind: .int)]),
            Command(path: ["fno", "train"], base: ["--data", i.darcy, "--out", "run", "--epochs", "1"] + fnoModel,
                    options: [.init(flag: "initial-step", kind: .int), .init(flag: "t-train", kind: .int), .init(flag: "reduced-batch", kind: .int),
                              .init(flag: "reduced-resolution", kind: .int), .init(flag: "reduced-resolution-t", kind: .int),
                              .init(flag: "pool-offset", kind: .int), .init(flag: "uniform-multiplier", kind: .double, with: ["--policy", "uniform"]),
                              .init(flag: "darcy-scale", kind: .float), .init(flag: "test-samples", kind: .int),
                              .init(flag: "validation-samples", kind: .int), .init(flag: "width", kind: .int), .init(flag: "modes", kind: .int),
                              .init(flag: "layers", kind: .int), .init(flag: "padding", kind: .int), .init(flag: "projection", kind: .int),
                              .init(flag: "epochs", kind: .int), .init(flag: "batch-size", kind: .int), .init(flag: "lr", kind: .float),
                              .init(flag: "weight-decay", kind: .float), .init(flag: "step-size", kind: .int), .init(flag: "gamma", kind: .float),
                              .init(flag: "s", kind: .double), .init(flag: "tau", kind: .double), .init(flag: "xmin-pos", kind: .double),
                              .init(flag: "tb-min-evals", kind: .int), .init(flag: "seed", kind: .uint), .init(flag: "eval-every", kind: .int),
                              .init(flag: "blas-threads", kind: .int)]),
            Command(path: ["fno", "experiment"], base: ["--name", "x", "--data", i.darcy, "--validation-samples", "1", "--train-samples", "2",
                                                        "--lrs", "0.001,0.002,0.004", "--seeds", "1,2", "--epochs", "1", "--evaluations", "1",
                                                        "--max-extensions", "0", "--jobs", "1", "--runs", "runs", "--reports", "reports"]
                                                  + fnoModel.filter { $0 != "-q" },
                    options: protocolOptions + [.init(flag: "train-samples", kind: .list(.int)),
                                                .init(flag: "reference-scales", kind: .list(.double)), .init(flag: "evaluations", kind: .int)]),
            Command(path: ["data", "burgers"], base: ["--samples", "1", "--seed", "1", "-o", "x.h5", "--resolution", "8", "--steps", "2",
                                                      "--viscosity", "0.5", "--threads", "1"],
                    options: generation + [.init(flag: "steps", kind: .int), .init(flag: "final-time", kind: .double),
                                           .init(flag: "viscosity", kind: .double), .init(flag: "solver-resolution", kind: .int)]),
            Command(path: ["data", "darcy"], base: ["--samples", "1", "--seed", "1", "-o", "x.h5", "--resolution", "8", "--threads", "1"],
                    options: generation + [.init(flag: "refinement", kind: .int)]),
            Command(path: ["data", "navier-stokes"], base: ["--samples", "1", "--seed", "1", "-o", "x.h5", "--resolution", "8", "--steps", "2",
                                                            "--interval", "0.01", "--threads", "1"],
                    options: generation + [.init(flag: "steps", kind: .int), .init(flag: "interval", kind: .double),
                                           .init(flag: "viscosity", kind: .double), .init(flag: "solver-resolution", kind: .int)]),
            Command(path: ["data", "cfd"], base: ["--samples", "1", "--seed", "1", "-o", "x.h5", "--resolution", "8", "--steps", "2",
                                                  "--interval", "0.001", "--threads", "1"],
                    options: generation + [.init(flag: "steps", kind: .int), .init(flag: "interval", kind: .double), .init(flag: "mach", kind: .double),
                                           .init(flag: "eta", kind: .double), .init(flag: "zeta", kind: .double),
                                           .init(flag: "solver-resolution", kind: .int)]),
            Command(path: ["data", "inspect"], base: [i.darcy], options: [.init(flag: "stats-samples", kind: .int)]),
            Command(path: ["tokenize"], base: [miniLMFolder, "--input", i.text], options: [.init(flag: "max-length", kind: .int)]),
            Command(path: ["finetune"], base: [i.bert, "--data", i.topics, "--train-count", "12", "--validation-count", "6", "--epochs", "1",
                                               "--batch-size", "6", "--max-length", "12", "--out", "run", "-q"],
                    options: [.init(flag: "max-length", kind: .int), .init(flag: "epochs", kind: .int), .init(flag: "batch-size", kind: .int),
                              .init(flag: "lr", kind: .float), .init(flag: "weight-decay", kind: .float),
                              .init(flag: "warmup-ratio", kind: .double), .init(flag: "clip", kind: .float),
                              .init(flag: "xmin-pos", kind: .double), .init(flag: "seed", kind: .uint), .init(flag: "stop-after", kind: .int),
                              .init(flag: "balance-every", kind: .interval, with: ["--policy", "tempbalance"]),
                              .init(flag: "balance-lag", kind: .int, with: ["--policy", "tempbalance"]),
                              .init(flag: "blas-threads", kind: .int), .init(flag: "analysis-threads", kind: .int),
                              .init(flag: "train-count", kind: .int), .init(flag: "validation-count", kind: .int),
                              .init(flag: "uniform-multiplier", kind: .double, with: ["--policy", "uniform"])] + policyOptions),
            // The ratios, without the counts they exclude.
            Command(path: ["finetune"], base: [i.bert, "--data", i.topics, "--epochs", "1", "--batch-size", "32", "--max-length", "12",
                                               "--out", "run", "-q"],
                    options: [.init(flag: "train-ratio", kind: .double), .init(flag: "validation-ratio", kind: .double)]),
        ]
    }

    /// The attack values: NaN, ∞, −1, 0, 2⁶², 1e308, and an empty value (a list: an empty item).
    static func values(for kind: Kind) -> [String] {
        let scalars = ["nan", "inf", "-1", "0", "4611686018427387904", "1e308"]
        if case .list = kind { return scalars + ["1,,1"] }
        return scalars + [""]
    }

    /// The documented range of `flag` in `help` (`[1, 1024]`, `(0, 10]`, `[0, 1)`, or "any
    /// 64-bit unsigned integer"), nil when the help gives none.
    static func documentedRange(_ flag: String, in help: String) -> (lower: Decimal, upper: Decimal, lowerOpen: Bool, upperOpen: Bool)? {
        // The option's entry: its first line and the more indented lines after it.
        var entry = "", inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if trimmed.hasPrefix("-") && indent <= 4 {
                inside = trimmed.split(separator: " ").contains { $0 == "--\(flag)" || $0 == "--\(flag)," } ||
                    trimmed.hasPrefix("--\(flag) ") || trimmed.contains(", --\(flag) ")
                if inside { entry = String(trimmed) }
            } else if inside {
                if trimmed.isEmpty { inside = false } else { entry += " " + trimmed }
            }
        }
        if entry.contains("64-bit unsigned integer") { return (0, Decimal(string: "18446744073709551615")!, false, false) }
        let regex = try! Regex(#"([\[(])(-?[0-9][0-9.e+\-]*), (-?[0-9][0-9.e+\-]*)([\])])"#)
        guard let m = entry.firstMatch(of: regex),
              let lo = m.output[2].substring.flatMap({ Decimal(string: String($0)) }),
              let hi = m.output[3].substring.flatMap({ Decimal(string: String($0)) }) else { return nil }
        return (lo, hi, m.output[1].substring == "(", m.output[4].substring == ")")
    }

    /// Whether `value` is a valid `kind` inside `range`.
    static func isValid(_ value: String, _ kind: Kind, _ range: (lower: Decimal, upper: Decimal, lowerOpen: Bool, upperOpen: Bool)) -> Bool {
        if case let .list(item) = kind {
            let items = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return !items.isEmpty && items.allSatisfy { isValid($0, item, range) }
        }
        let number: Decimal?
        switch kind {
        case .int, .interval: number = Int(value).map { Decimal($0) }
        case .uint: number = UInt64(value).map { Decimal(string: String($0))! }
        case .double: number = Double(value).flatMap { $0.isFinite ? Decimal(string: value) : nil }
        case .float: number = Float(value).flatMap { $0.isFinite ? Decimal(string: value) : nil }
        case .list: number = nil
        }
        guard let x = number else { return false }
        let aboveLower = range.lowerOpen ? x > range.lower : x >= range.lower
        let belowUpper = range.upperOpen ? x < range.upper : x <= range.upper
        return aboveLower && belowUpper
    }

    /// Runs one case in a fresh folder and classifies it.
    static func runCase(_ args: [String], expectValid: Bool, in folder: String, tally: Tally, timeout: TimeInterval = 120) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let r = try HTSRBinary.run(args, in: URL(fileURLWithPath: folder), timeout: timeout)
            let left = OutputFixtures.tree(folder)
            let name = args.joined(separator: " ")
            if r.status > 128 || r.stderr.contains("Fatal error") || r.stderr.contains("crashed") {
                tally.add(.crash, "\(name): status \(r.status) \(r.stderr.prefix(300))")
            } else if expectValid {
                if r.status != 0 { tally.add(.wrongError, "\(name): status \(r.status) \(r.stderr)") }
                else if left.contains(where: { $0.contains(".tmp") }) { tally.add(.leftovers, "\(name): \(left)") }
                else { tally.add(.valid, "") }
            } else {
                let lines = r.stderr.split(separator: "\n")
                if r.status == 0 { tally.add(.wrongSuccess, name) }
                else if r.status != 64 || lines.count != 1 || !r.stdout.isEmpty { tally.add(.wrongError, "\(name): status \(r.status) \(r.stderr)") }
                else if !left.isEmpty { tally.add(.leftovers, "\(name): \(left)") }
                else { tally.add(.cleanError, "") }
            }
        } catch HTSRBinary.RunError.timedOut {
            tally.add(.hang, args.joined(separator: " "))
        } catch {
            tally.add(.wrongError, "\(args.joined(separator: " ")): \(error)")
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `cases` four at a time.
    static func runAll(_ cases: [@Sendable () -> Void]) {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 4
        for c in cases { queue.addOperation(c) }
        queue.waitUntilAllOperationsAreFinished()
    }

    @Test func everyNumericOption() throws {
        let inputs = try Inputs()
        defer { inputs.folder.cleanup() }
        let tally = Tally("numbers")
        var cases: [@Sendable () -> Void] = []
        var undocumented: [String] = []
        for command in Self.commands(inputs) {
            let help = try HTSRBinary.run(command.path + ["--help"]).stdout
            for option in command.options {
                guard let range = Self.documentedRange(option.flag, in: help) else {
                    undocumented.append((command.path + ["--" + option.flag]).joined(separator: " "))
                    continue
                }
                for value in Self.values(for: option.kind) {
                    let args = command.path + command.base + option.with + ["--" + option.flag, value]
                    let valid = Self.isValid(value, option.kind, range)
                    let folder = inputs.folder.path("case-\(cases.count)")
                    cases.append { Self.runCase(args, expectValid: valid, in: folder, tally: tally) }
                }
            }
        }
        // Figure sizes and fonts are numbers in text.
        for (flag, values, valid) in [("size", ["nanxnan", "infx100", "-1x-1", "0x0", "4611686018427387904x100", "1e308x1e308in", "x"], [Bool](repeating: false, count: 7)),
                                      ("font", ["Sans,nan", "Sans,inf", "Sans,-1", "Sans,0", "Sans,4611686018427387904", "Sans,1e308", ""],
                                       [false, false, false, false, false, false, true])] {
            for (value, ok) in zip(values, valid) {
                let args = ["plot", inputs.analysis, "--out", "figures", "-q", "--figures", "alpha-histogram", "--\(flag)", value]
                let folder = inputs.folder.path("case-\(cases.count)")
                cases.append { Self.runCase(args, expectValid: ok, in: folder, tally: tally) }
            }
        }
        Self.runAll(cases)
        print(tally.summary)
        #expect(undocumented.isEmpty, "no documented range in --help: \(undocumented)")
        #expect(tally.failures.isEmpty, "\(tally.failures.count) failures:\n\(tally.failures.prefix(40).joined(separator: "\n"))")
        #expect(tally.tried > 800)
    }

    /// Every option's range as its `--help` quotes it: (flag, `[lo, hi]` or "any 64-bit unsigned integer").
    static func helpRanges(_ help: String) -> [(flag: String, range: String)] {
        var entries: [String] = [], inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if trimmed.hasPrefix("-") && indent <= 4 {
                entries.append(String(trimmed))
                inside = true
            } else if inside {
                if trimmed.isEmpty { inside = false } else { entries[entries.count - 1] += " " + trimmed }
            }
        }
        let interval = try! Regex(#"[\[(]-?[0-9][0-9.e+\-]*, -?[0-9][0-9.e+\-]*[\])]"#)
        let flagPattern = try! Regex(#"^(?:-\w, )?(--[\w-]+)"#)
        return entries.compactMap { entry in
            guard let f = entry.firstMatch(of: flagPattern)?.output[1].substring.map(String.init) else { return nil }
            if entry.contains("64-bit unsigned integer") { return (f, "any 64-bit unsigned integer") }
            guard let m = entry.firstMatch(of: interval) else { return nil }
            return (f, String(entry[m.range]))
        }
    }

    /// docs/cli.md's table of ranges is what the binary's --help says, command by command.
    @Test func rangesInDocs() throws {
        let doc = try String(contentsOfFile: HTSRBinary.packageRoot.appendingPathComponent("docs/cli.md").path, encoding: .utf8)
        var documented = Set<String>()
        for line in doc.split(separator: "\n") where line.hasPrefix("| `--") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3 else { continue }
            for command in cells[2].split(separator: ",") {
                documented.insert("\(command.trimmingCharacters(in: .whitespaces)) \(cells[0].replacingOccurrences(of: "`", with: "")) \(cells[1])")
            }
        }
        var fromHelp = Set<String>()
        let paths = [["analyze"], ["compare"], ["plot"], ["report"], ["policy"], ["train"], ["experiment"], ["fno", "train"],
                     ["fno", "experiment"], ["data", "burgers"], ["data", "darcy"], ["data", "navier-stokes"], ["data", "cfd"],
                     ["data", "inspect"], ["tokenize"], ["finetune"], ["finetune-experiment"]]
        for path in paths {
            let help = try HTSRBinary.run(path + ["--help"]).stdout
            for (flag, range) in Self.helpRanges(help) { fromHelp.insert("\(path.joined(separator: " ")) \(flag) \(range)") }
        }
        #expect(fromHelp.count > 150)
        #expect(fromHelp.subtracting(documented).isEmpty, "in --help, not in docs/cli.md: \(fromHelp.subtracting(documented).sorted())")
        #expect(documented.subtracting(fromHelp).isEmpty, "in docs/cli.md, not in --help: \(documented.subtracting(fromHelp).sorted())")
    }

    // MARK: Outputs onto inputs

    @Test func outputsOntoInputs() throws {
        let inputs = try Inputs()
        defer { inputs.folder.cleanup() }
        let tally = Tally("outputs onto inputs")
        let fm = FileManager.default
        let base = inputs.folder.path("o")
        // A model folder (an input read whole) and links to the checkpoint and the analysis.
        let model = base + "/model"
        try fm.createDirectory(atPath: model, withIntermediateDirectories: true)
        try fm.copyItem(atPath: inputs.checkpoint, toPath: model + "/model.safetensors")
        let ckpt = model + "/model.safetensors"
        try fm.createSymbolicLink(atPath: base + "/ckpt-link.json", withDestinationPath: inputs.checkpoint)
        try fm.linkItem(atPath: inputs.checkpoint, toPath: base + "/ckpt-hard.csv")
        try fm.createSymbolicLink(atPath: base + "/analysis-link.json", withDestinationPath: inputs.analysis)
        try fm.linkItem(atPath: inputs.analysis, toPath: base + "/analysis-hard.json")
        try fm.createSymbolicLink(atPath: base + "/model-link", withDestinationPath: model)
        // Text data named like a run's log, in a folder of its own.
        let textData = inputs.folder.path("inputs/text")
        try fm.createDirectory(atPath: textData, withIntermediateDirectories: true)
        let topics = try String(contentsOfFile: inputs.topics, encoding: .utf8).split(separator: "\n").dropFirst().map { line -> String in
            let comma = line.lastIndex(of: ",")!
            let text = line[..<comma].filter { $0 != "\"" }
            return "{\"text\": \"\(text)\", \"label\": \"\(line[line.index(after: comma)...])\"}"
        }
        try (topics.joined(separator: "\n") + "\n").write(toFile: textData + "/log.jsonl", atomically: true, encoding: .utf8)
        try fm.linkItem(atPath: textData + "/log.jsonl", toPath: textData + "/hard.csv")
        try fm.createSymbolicLink(atPath: base + "/text-link", withDestinationPath: textData)
        let watched = [inputs.checkpoint, inputs.analysis, inputs.darcy, ckpt, textData + "/log.jsonl"]
        let before = watched.map { OutputFixtures.bytes($0) }
        let protocolArgs = ["--validation-per-class", "2", "--lrs", "0.01,0.02,0.04"]
        let cases: [[String]] = [
            // analyze: the same path, a symbolic link, a hard link, inside the input folder (directly, through a link).
            ["analyze", inputs.analysis, "-o", inputs.analysis], ["analyze", inputs.checkpoint, "-o", base + "/ckpt-link.json"],
            ["analyze", inputs.checkpoint, "-o", base + "/ckpt-hard.csv"], ["analyze", model, "-o", model + "/a.json"],
            ["analyze", model, "-o", base + "/model-link/a.txt"], ["analyze", model, "-o", model + "/"],
            ["analyze", model, "--save-eigenvalues", model + "/eig"], ["analyze", model, "--save-eigenvalues", base + "/model-link"],
            ["analyze", inputs.checkpoint, "--base", model, "-o", base + "/model-link/d.json"],
            // compare and policy.
            ["compare", inputs.analysis, inputs.checkpoint, "-o", inputs.analysis], ["compare", inputs.analysis, inputs.checkpoint, "-o", base + "/analysis-link.json"],
            ["compare", inputs.analysis, inputs.checkpoint, "-o", base + "/analysis-hard.json"], ["compare", model, inputs.checkpoint, "-o", model + "/c.json"],
            ["policy", inputs.analysis, "-o", inputs.analysis], ["policy", inputs.analysis, "-o", base + "/analysis-link.json"],
            ["policy", inputs.analysis, "-o", base + "/analysis-hard.json"], ["policy", model, "-o", base + "/model-link/p.json"],
            // plot and report: into the input folder, a report folder holding its input.
            ["plot", model, "--out", model], ["plot", model, "--out", base + "/model-link/figures"], ["plot", inputs.analysis, "--eigenvalues", model, "--out", model + "/f"],
            ["report", model, "--out", base + "/model-link/r"], ["report", ckpt, "--out", model], ["report", inputs.analysis, "--out", inputs.folder.path("inputs")],
            // training: the run folder's files are the --init checkpoint or the data.
            ["train", "--init", ckpt, "--out", model, "--data-dir", inputs.dataDir], ["train", "--out", inputs.dataDir + "/run", "--data-dir", inputs.dataDir],
            ["experiment", "--name", "model", "--init", ckpt, "--runs", base, "--reports", base + "/rep", "--data-dir", inputs.dataDir] + protocolArgs,
            ["experiment", "--name", "x", "--runs", inputs.dataDir, "--reports", base + "/rep", "--data-dir", inputs.dataDir] + protocolArgs,
            ["fno", "train", "--data", ckpt, "--out", model], ["fno", "experiment", "--name", "inputs", "--data", inputs.darcy, "--validation-samples", "1",
                                                               "--lrs", "0.001,0.002,0.004", "--runs", inputs.folder.url.path, "--reports", base + "/rep"],
            // the fine-tuning experiment: runs into the model's folder, into the data folder.
            ["finetune-experiment", model, "--data", "r8", "--data-dir", textData, "--name", "model", "--lrs", "1e-4,2e-4,4e-4",
             "--runs", base, "--reports", base + "/rep"],
            ["finetune-experiment", model, "--data", "r8", "--data-dir", textData, "--name", "x", "--lrs", "1e-4,2e-4,4e-4",
             "--runs", textData, "--reports", base + "/rep"],
            ["finetune-experiment", model, "--data", "r8", "--data-dir", textData, "--name", "x", "--lrs", "1e-4,2e-4,4e-4",
             "--runs", base + "/runs", "--reports", model],
            // fine-tuning: the model's folder (directly, through a link), a run whose log is the data, inside the data folder.
            ["finetune", model, "--data", inputs.topics, "--out", model], ["finetune", model, "--data", inputs.topics, "--out", base + "/model-link"],
            ["finetune", model, "--data", inputs.topics, "--out", base + "/model-link/run"],
            ["finetune", model, "--data", textData + "/log.jsonl", "--out", textData], ["finetune", model, "--data", textData + "/hard.csv", "--out", base + "/text-link"],
            ["finetune", model, "--data", "r8", "--data-dir", textData, "--out", textData + "/run"],
            ["finetune", model, "--data", inputs.topics, "--test-file", textData + "/log.jsonl", "--out", base + "/text-link"],
        ]
        for (k, args) in cases.enumerated() {
            Self.runCase(args, expectValid: false, in: inputs.folder.path("case-\(k)"), tally: tally)
        }
        print(tally.summary)
        #expect(watched.map { OutputFixtures.bytes($0) } == before, "an input changed")
        #expect(OutputFixtures.tree(base).filter { !$0.hasPrefix("model/") && $0 != "model" }.sorted() ==
                ["analysis-hard.json", "analysis-link.json", "ckpt-hard.csv", "ckpt-link.json", "model-link", "text-link"])
        #expect(OutputFixtures.tree(textData).sorted() == ["hard.csv", "log.jsonl"])
        #expect(OutputFixtures.tree(model) == ["model.safetensors"])
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
    }

    // MARK: Numbers read from files

    /// Analysis files whose numbers lie (α = ±1e308, a huge count, a negative id, options out of
    /// range) given to every command that reads analyses: one error line naming the file (status
    /// 1), never a trap; α = 1e300 (within the documented ±1e300) is read. A resume state with a
    /// negative or huge step is an error naming the field.
    @Test func numbersReadFromFiles() throws {
        let inputs = try Inputs()
        defer { inputs.folder.cleanup() }
        let tally = Tally("numbers read from files")
        let original = try String(contentsOfFile: inputs.analysis, encoding: .utf8)
        func replacing(_ pattern: String, _ with: String) throws -> String {
            let changed = original.replacing(try Regex(pattern), with: with)
            #expect(changed != original, "\(pattern) changed nothing")
            return changed
        }
        let lies: [(name: String, text: String, valid: Bool)] = [
            ("alpha-1e308", try replacing(#""alpha" : [-0-9.e+]+"#, "\"alpha\" : 1e308"), false),
            ("alpha--1e308", try replacing(#""alpha" : [-0-9.e+]+"#, "\"alpha\" : -1e308"), false),
            ("lambda-1e308", try replacing(#""lambda_max" : [-0-9.e+]+"#, "\"lambda_max\" : 1e308"), false),
            ("evals-huge", try replacing(#""num_evals" : [0-9]+"#, "\"num_evals\" : 9223372036854775807"), false),
            ("evals-fraction", try replacing(#""num_evals" : [0-9]+"#, "\"num_evals\" : 1e300"), false),
            ("id-negative", try replacing(#""layer_id" : [0-9]+"#, "\"layer_id\" : -5"), false),
            ("shape-huge", try replacing(#""shape" : \[\s*[0-9]+"#, "\"shape\" : [4611686018427387904"), false),
            ("xmin-pos", try replacing(#""xmin_pos" : [0-9.]+"#, "\"xmin_pos\" : 0.5"), false),
            ("threads", try replacing(#""threads" : [0-9]+"#, "\"threads\" : 4611686018427387904"), false),
            ("summary-negative", try replacing(#""fitted" : [0-9]+"#, "\"fitted\" : -1"), false),
            ("alpha-1e300", try replacing(#""alpha" : [-0-9.e+]+"#, "\"alpha\" : 1e300"), true),
        ]
        for lie in lies {
            let file = inputs.folder.path("inputs/\(lie.name).json")
            try lie.text.write(toFile: file, atomically: true, encoding: .utf8)
            for command in [["report", file, "--out", "report", "-q", "--figures", "alpha-histogram"],
                            ["plot", file, "--out", "figures", "-q", "--figures", "alpha-histogram,alpha-depth"],
                            ["policy", file, "-o", "p.json"], ["compare", file, inputs.analysis, "-o", "c.csv", "-q"]] {
                let folder = inputs.folder.path("file-\(lie.name)-\(command[0])")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let r = try HTSRBinary.run(command, in: URL(fileURLWithPath: folder))
                let name = "\(command[0]) \(lie.name)"
                if r.status > 128 || r.stderr.contains("Fatal error") { tally.add(.crash, "\(name): \(r.stderr.prefix(300))") }
                else if lie.valid { tally.add(r.status == 0 ? .valid : .wrongError, "\(name): \(r.stderr)") }
                else if r.status == 0 { tally.add(.wrongSuccess, name) }
                else if r.status != 1 || r.stderr.split(separator: "\n").count != 1 || !r.stderr.contains(lie.name) { tally.add(.wrongError, "\(name): \(r.stderr)") }
                else if !OutputFixtures.tree(folder).isEmpty { tally.add(.leftovers, "\(name): \(OutputFixtures.tree(folder))") }
                else { tally.add(.cleanError, "") }
            }
        }
        // A resume state that lies about its steps.
        let run = inputs.folder.path("resume-run")
        let first = try HTSRBinary.run(["train", "--data", "digits", "--data-dir", inputs.dataDir, "--steps", "6", "--hidden", "8",
                                        "--log-every", "2", "--stop-after", "2", "--out", run, "-q"])
        #expect(first.status == 0, "\(first.stderr)")
        let resume = run + "/resume.safetensors"
        let checkpoint = try Checkpoint.open(resume)
        let tensors = try checkpoint.tensors.map { WritableTensor(name: $0.name, shape: $0.shape, floats: try checkpoint.readFloats($0)) }
        let state = try #require(checkpoint.metadata["htsr_resume"])
        for (field, value) in [("step", "-5"), ("step", "4611686018427387904"), ("optimizerStep", "-1"), ("bestStep", "99"), ("elapsed", "-1")] {
            let lied = state.replacing(try Regex("\"\(field)\":[-0-9.e+]+"), with: "\"\(field)\":\(value)")
            #expect(lied != state, "\(field) not in the resume state")
            try SafetensorsWriter.write(tensors, metadata: ["htsr_resume": lied], to: resume)
            let r = try HTSRBinary.run(["train", "--data", "digits", "--data-dir", inputs.dataDir, "--steps", "6", "--hidden", "8",
                                        "--log-every", "2", "--out", run, "--resume", "-q"])
            let words = ["step": "step", "optimizerStep": "optimizer step", "bestStep": "best step", "elapsed": "elapsed"][field]!
            let name = "resume \(field) = \(value)"
            if r.status > 128 { tally.add(.crash, "\(name): \(r.stderr.prefix(300))") }
            else if r.status == 0 { tally.add(.wrongSuccess, name) }
            else if r.status != 1 || r.stderr.split(separator: "\n").count != 1 || !r.stderr.contains("its \(words) \(value)") { tally.add(.wrongError, "\(name): \(r.stderr)") }
            else { tally.add(.cleanError, "") }
        }
        print(tally.summary)
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
    }

    // MARK: Interrupts

    /// Starts `args` in `folder`, sends `signal` once it has run for `after` seconds.
    static func interrupt(_ args: [String], in folder: String, signal: Int32, after: TimeInterval) throws -> (status: Int32?, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HTSRBinary.path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        p.environment = env
        let err = Pipe(), input = Pipe()  // standard input stays open and empty: '-' waits on it
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        let drained = HTSRBinary.Drained(err)
        try p.run()
        let start = Date()
        while p.isRunning && Date().timeIntervalSince(start) < after { Thread.sleep(forTimeInterval: 0.01) }
        guard p.isRunning else { p.waitUntilExit(); return (nil, String(decoding: drained.data, as: UTF8.self)) }
        kill(p.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning { p.terminate(); return (-1, "hang") }
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: drained.data, as: UTF8.self))
    }

    @Test func interruptsLeaveNothing() throws {
        let inputs = try Inputs()
        defer { inputs.folder.cleanup() }
        let tally = Tally("interrupts")
        let keras = checkpoints.appendingPathComponent("keras3/model.weights.h5").path
        // Each runs for several seconds; `resumable` commands keep their resumable state (a
        // training log and resume file) by design, but never a temporary file.
        let runs: [(args: [String], after: TimeInterval, resumable: Bool)] = [
            (["analyze", miniLMPath, "--save-eigenvalues", "eig", "-o", "a.json", "--threads", "1"], 0.8, false),
            (["analyze", miniLMPath, keras, "-o", "out/", "--threads", "1"], 0.8, false),
            (["compare", miniLMPath, miniLMPath, "-o", "c.json", "--threads", "1"], 0.8, false),
            (["policy", miniLMPath, "-o", "p.json"], 0.8, false),
            (["plot", miniLMPath, "--out", "figures", "--processes", "1"], 2.0, false),
            (["report", miniLMPath, "--out", "report", "--processes", "1"], 2.0, false),
            (["data", "navier-stokes", "--samples", "400", "--seed", "1", "--resolution", "32", "-o", "ns.h5", "--threads", "1"], 0.8, false),
            (["data", "burgers", "--samples", "400", "--seed", "1", "-o", "b.h5", "--threads", "1"], 0.8, false),
            (["train", "--data", "digits", "--data-dir", inputs.dataDir, "--steps", "20000", "--log-every", "10", "--out", "run", "-q"], 1.5, true),
            (["fno", "train", "--data", inputs.darcy, "--out", "run", "--epochs", "100000", "--width", "4", "--modes", "2", "--test-samples", "1", "-q"], 1.5, true),
            (["experiment", "--name", "x", "--data", "digits", "--data-dir", inputs.dataDir, "--sizes", "5", "--validation-per-class", "5",
              "--seeds", "1,2", "--lrs", "0.01,0.02,0.04", "--jobs", "1", "--min-steps", "5000", "--max-steps", "5000",
              "--runs", "runs", "--reports", "reports"], 1.5, true),
            (["finetune", inputs.bert, "--data", inputs.topics, "--train-count", "24", "--validation-count", "12", "--epochs", "10000",
              "--batch-size", "8", "--max-length", "16", "--policy", "tempbalance", "--policy-min-evals", "2", "--out", "run", "-q"], 1.5, true),
            (["tokenize", miniLMFolder, "--input", "-"], 0.8, false),
        ]
        for (k, run) in runs.enumerated() {
            for signal in [SIGINT, SIGTERM] {
                let folder = inputs.folder.path("int-\(k)-\(signal)")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let name = "\(run.args.prefix(2).joined(separator: " ")) (signal \(signal))"
                let (status, stderr) = try Self.interrupt(run.args, in: folder, signal: signal, after: run.after)
                let left = OutputFixtures.tree(folder)
                if status == nil { tally.add(.wrongSuccess, "\(name) ended before the signal: \(stderr)") }
                else if status == -1 { tally.add(.hang, name) }
                else if status != 128 + signal { tally.add(status! > 128 ? .crash : .wrongError, "\(name): status \(status!) \(stderr)") }
                else if left.contains(where: { $0.contains(".tmp") }) || (!run.resumable && !left.isEmpty) { tally.add(.leftovers, "\(name): \(left)") }
                else { tally.add(.cleanError, "") }
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        print(tally.summary)
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
    }
}
