import Checkpoint
import Foundation
import Testing
import Train
@testable import Transformer
import Random

/// The fine-tuning loop on the tiny BERT of the golden fixture and a synthetic token task.
@Suite struct FinetuneTests {
    /// A 3-class task on the tiny vocabulary: the class is which of the tokens 5, 7, 9 occurs.
    static func splits(seed: UInt64 = 3) -> EncodedSplits {
        var rng = SeededRNG(seed: seed)
        func examples(_ n: Int) -> [EncodedExample] {
            (0..<n).map { i in
                let label = Int32(i % 3)
                let length = 3 + Int(rng.next() % 6)
                var ids: [Int32] = [2]
                for _ in 0..<length { ids.append(Int32(10 + rng.next() % 20)) }
                ids.insert([5, 7, 9][Int(label)], at: 1 + Int(rng.next() % UInt64(length)))
                ids.append(1)
                return EncodedExample(ids: ids, label: label)
            }
        }
        return EncodedSplits(name: "synthetic", classNames: ["five", "seven", "nine"], train: examples(40), validation: examples(15), test: examples(15))
    }

    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("htsr-finetune-\(UUID().uuidString)").path
    }

    static func config(out: String, policy: PolicyMode = .tempbalance, lag: Int = 0) -> FinetuneConfig {
        var c = FinetuneConfig()
        c.model = LoadingTests.tiny
        c.data = "synthetic"
        c.epochs = 3
        c.batchSize = 8
        c.maxLength = 16
        c.lr = 2e-3
        c.seed = 5
        c.policy = policy
        c.policyOptions.minEvals = 2   // the tiny model's 32 eigenvalues per layer
        c.balanceLag = lag
        c.out = out
        return c
    }

    /// Log lines without their wall-clock fields.
    static func logWithoutTimes(_ folder: String) throws -> [String] {
        try String(contentsOfFile: folder + "/log.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            var s = String(line)
            for key in ["\"seconds\":", "\"timing\":"] {
                while let r = s.range(of: key) {
                    var end = r.upperBound
                    if s[end] == "{" { end = s[end...].firstIndex(of: "}")!; end = s.index(after: end) }
                    else { while end < s.endIndex, s[end] != ",", s[end] != "}" { end = s.index(after: end) } }
                    s.removeSubrange(r.lowerBound..<end)
                }
            }
            return s
        }
    }

    @Test func aRunWritesItsFilesAndLearns() throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let pretrained = try PretrainedBert(LoadingTests.tiny)
        var config = Self.config(out: out)
        config.epochs = 12
        config.lr = 5e-3
        let trainer = try FinetuneTrainer(config: config, data: Self.splits(), pretrained: pretrained)
        #expect(trainer.stepsPerEpoch == 5 && trainer.totalSteps == 60 && trainer.balanceInterval == 1)
        var lines: [FinetuneProgress] = []
        let outcome = try trainer.run(progress: { lines.append($0) })
        #expect(outcome.finished && outcome.steps == 60)
        #expect(outcome.bestEpoch != nil && outcome.test?.count == 15)
        // It learns the task (chance is 1/3): the best epoch's weights on the untouched test split.
        #expect(outcome.bestValidation!.accuracy >= 0.8 && outcome.test!.accuracy >= 0.7,
                "best validation \(outcome.bestValidation!.accuracy) at epoch \(outcome.bestEpoch!), test \(outcome.test!.accuracy)")
        #expect(lines.contains { $0.validationAccuracy != nil })
        // The folder is a Hugging Face classifier the loader reads back (names as the pretrained: bert.-prefixed).
        let saved = try PretrainedBert(out)
        #expect(saved.prefix == "bert." && saved.headClasses == 3)
        let configText = try String(contentsOfFile: out + "/config.json", encoding: .utf8)
        #expect(configText.contains("\"BertForSequenceClassification\"") && configText.contains("\"2\" : \"nine\"") && configText.contains("\"htsr_pooling\" : \"cls\""))
        let log = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(log.count == 14)   // run, 12 epochs, final
        #expect(log[0].contains("\"balanced_layers\":[\"encoder.layer.0.attention.self.key\""))
        #expect(log[1].contains("\"blocks\":[{\"name\":\"encoder.layer.0\",\"alpha\":"))
        #expect(log[13].contains("\"kind\":\"final\"") && log[13].contains("test_accuracy"))
        // The multipliers moved away from 1 (TempBalance acted) and the head kept η.
        #expect(log[2].contains("\"name\":\"classifier\",\"alpha\"") && !log[2].contains("\"name\":\"encoder.layer.1.output.dense\",\"alpha\":null"))
    }

    /// The controls: frozen keeps the multipliers of step 0's spectra for the whole run (TempBalance
    /// changes them); uniform gives every balanced block one multiplier, from the first step, and its
    /// summary has no bounds. The summary's time average of a constant multiplier is that multiplier.
    @Test func controls() throws {
        let pretrained = try PretrainedBert(LoadingTests.tiny)
        func run(_ policy: PolicyMode, g: Double = 1) throws -> (FinetuneOutcome, [[Double]]) {
            let out = Self.temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: out) }
            var c = Self.config(out: out, policy: policy)
            c.epochs = 4
            c.lr = 5e-3
            c.uniformMultiplier = g
            c.resumable = false
            c.testAtEnd = false
            let o = try FinetuneTrainer(config: c, data: Self.splits(), pretrained: pretrained).run()
            #expect(!FileManager.default.fileExists(atPath: out + "/resume/state.safetensors") && o.test == nil)
            // Per epoch: the multipliers of the balanced layers (weight entries), from the log.
            let log = try TrainingLog.load(out + "/log.jsonl")
            let balanced = Set(o.balancedLayers)
            return (o, log.intervals.map { $0.layers.filter { balanced.contains($0.name) }.map { $0.multiplier ?? .nan } })
        }
        let (tb, tbM) = try run(.tempbalance)
        let (frozen, frozenM) = try run(.frozen)
        let (uniform, uniformM) = try run(.uniform, g: 0.5)
        #expect(tbM.count == 4 && Set(tbM).count > 1)
        #expect(Set(frozenM).count == 1 && frozenM[0] != Array(repeating: 1, count: frozenM[0].count))
        #expect(uniformM.allSatisfy { $0.allSatisfy { $0 == 0.5 } })
        #expect(frozen.multipliers.layers.count == frozen.balancedLayers.count && frozen.multipliers.nearBoundShare != nil)
        #expect(uniform.multipliers.timeAverages.allSatisfy { abs($0.multiplier - 0.5) < 1e-12 } && uniform.multipliers.nearBoundShare == nil)
        // Step 0 trains at the uniform rate before any spectra (not counted); uniform counts every step.
        #expect(tb.multipliers.layers.allSatisfy { $0.steps == 19 } && uniform.multipliers.layers.allSatisfy { $0.steps == 20 })
    }

    /// Stopping mid-epoch and resuming gives the same weights, optimizer state and log as an
    /// uninterrupted run — with TempBalance in line and with recomputations in flight (lag 2).
    @Test(arguments: [0, 2]) func resumeIsBitExact(lag: Int) throws {
        let pretrained = try PretrainedBert(LoadingTests.tiny)
        let a = Self.temporaryFolder(), b = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        try FinetuneTrainer(config: Self.config(out: a, lag: lag), data: Self.splits(), pretrained: pretrained).run()
        var first = Self.config(out: b, lag: lag)
        first.stopAfter = 7
        let stopped = try FinetuneTrainer(config: first, data: Self.splits(), pretrained: pretrained).run()
        #expect(!stopped.finished && stopped.steps == 7)
        var again = Self.config(out: b, lag: lag)
        again.resume = true
        var polls = 0
        // A stop request (Ctrl-C) after two more steps, then the rest.
        let interrupted = try FinetuneTrainer(config: again, data: Self.splits(), pretrained: pretrained).run(shouldStop: { polls += 1; return polls == 2 })
        #expect(!interrupted.finished && interrupted.steps == 9)
        let done = try FinetuneTrainer(config: again, data: Self.splits(), pretrained: pretrained).run()
        #expect(done.finished)
        let sa = try Checkpoint.open(a + "/resume/state.safetensors"), sb = try Checkpoint.open(b + "/resume/state.safetensors")
        for t in sa.tensors {
            #expect(try sa.readFloats(t) == sb.readFloats(sb.tensor(named: t.name)!), "\(t.name)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a + "/model.safetensors")) == Data(contentsOf: URL(fileURLWithPath: b + "/model.safetensors")))
        // Every line after the run line (which names the output folder and --stop-after).
        #expect(try Self.logWithoutTimes(a).dropFirst() == Self.logWithoutTimes(b).dropFirst())
    }

    @Test func resumeRefusesOtherOptionsOrData() throws {
        let pretrained = try PretrainedBert(LoadingTests.tiny)
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        var c = Self.config(out: out)
        c.stopAfter = 2
        try FinetuneTrainer(config: c, data: Self.splits(), pretrained: pretrained).run()
        c.resume = true
        c.stopAfter = nil
        var other = c
        other.lr = 1e-3
        #expect(throws: TrainError.badResumeState("the options differ from those of the run in \(out) (resume with the same options)")) {
            try FinetuneTrainer(config: other, data: Self.splits(), pretrained: pretrained)
        }
        #expect(throws: TrainError.badResumeState("the data differ from those of the run in \(out)")) {
            try FinetuneTrainer(config: c, data: Self.splits(seed: 4), pretrained: pretrained)
        }
        c.stopAfter = nil
        try FinetuneTrainer(config: c, data: Self.splits(), pretrained: pretrained).run()
        #expect(throws: TrainError.badResumeState("the run in \(out) finished (step 15 of 15); there is nothing to resume")) {
            try FinetuneTrainer(config: c, data: Self.splits(), pretrained: pretrained)
        }
        var missing = c
        missing.out = Self.temporaryFolder()
        #expect(throws: TrainError.self) { try FinetuneTrainer(config: missing, data: Self.splits(), pretrained: pretrained) }
    }

    /// Settings out of range are named in the library's own terms (`lr`, `batch_size`; the command
    /// line maps them to flags); bad data name the split, the example and the problem.
    @Test func badOptionsAndDataAreOneLineErrors() throws {
        let pretrained = try PretrainedBert(LoadingTests.tiny)
        func message(_ edit: (inout FinetuneConfig) -> Void, data: EncodedSplits = FinetuneTests.splits()) -> String {
            var c = Self.config(out: Self.temporaryFolder())
            edit(&c)
            do { _ = try FinetuneTrainer(config: c, data: data, pretrained: pretrained); return "no error" } catch { return "\(error)" }
        }
        #expect(message { $0.lr = .nan }.hasPrefix("lr = nan: must be a finite number in (0, "))
        #expect(message { $0.lr = -1 }.hasPrefix("lr = -1: must be"))
        #expect(message { $0.epochs = 0 }.hasPrefix("epochs = 0: must be an integer in [1, "))
        #expect(message { $0.batchSize = 1 << 40 }.hasPrefix("batch_size = 1099511627776: must be"))
        #expect(message { $0.maxLength = 17 }.contains("max_position_embeddings 16"))
        #expect(message { $0.warmupRatio = 1 }.hasPrefix("warmup_ratio = 1: must be a finite number in [0, 1)"))
        #expect(message { $0.clip = 0 }.hasPrefix("clip = 0: must be"))
        #expect(message { $0.policyOptions.tau = .nan }.hasPrefix("tau = nan: must be"))
        #expect(message { $0.balanceLag = 20 }.contains("at most 8 weight snapshots are in flight"))
        #expect(message { $0.out = LoadingTests.tiny + "/." }.contains("must be another folder than the pretrained model's"))
        var d = Self.splits()
        d.train[3].ids = Array(repeating: 4, count: 20)
        #expect(message({ _ in }, data: d).contains("training example 3 has 20 tokens"))
        d = Self.splits()
        d.validation = []
        #expect(message({ _ in }, data: d).contains("the validation split is empty"))
        d = Self.splits()
        d.test[0].label = 7
        #expect(message({ _ in }, data: d).contains("test example 0 has label 7"))
        d = Self.splits()
        d.validation[2].ids[1] = 30
        #expect(message({ _ in }, data: d).contains("validation example 2 has token id 30, outside the model's vocabulary 0..<30"))
        d = Self.splits()
        d.train[0].typeIds[2] = 2
        #expect(message({ _ in }, data: d).contains("training example 0 has token type 2 but the model's type_vocab_size is 2"))
    }
}
