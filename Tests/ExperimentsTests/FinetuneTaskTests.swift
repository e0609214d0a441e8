import Foundation
import Testing
import Text
import Train
import Transformer
@testable import Experiments

/// The fine-tuning task under the protocol, on the tiny BERT of the golden fixture and a
/// synthetic 3-class text set over its vocabulary (the class is which of bravo, charlie, delta occurs).
@Suite struct FinetuneTaskTests {
    static let tiny = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/bert-golden/tiny").path

    static func texts(_ n: Int, salt: Int) -> TextDataset {
        let filler = ["echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"]
        let marks = ["bravo", "charlie", "delta"]
        var texts: [String] = [], labels: [Int] = []
        for i in 0..<n {
            var words = (0..<(3 + (i * 7 + salt) % 5)).map { filler[($0 * 5 + i * 3 + salt) % filler.count] }
            words.insert(marks[i % 3], at: (i + salt) % words.count)
            texts.append(words.joined(separator: " "))
            labels.append(i % 3)
        }
        return TextDataset(texts: texts, labels: labels, classNames: marks)
    }

    static func task() throws -> FinetuneTask {
        var c = FinetuneConfig()
        c.model = tiny
        c.epochs = 2
        c.batchSize = 8
        c.maxLength = 16
        c.policyOptions.minEvals = 2   // the tiny model's 32 eigenvalues per layer
        let splits = TextSplits(train: texts(60, salt: 1), test: texts(12, salt: 2), testOrigin: "synthetic")
        return try FinetuneTask(base: c, dataName: "synthetic", splits: splits, tokenizer: try BertTokenizer(folder: tiny),
                                validation: .count(9), trainCount: ["n9": 9])
    }

    /// The whole protocol on the tiny model: choices on two selection seeds, three seeds at the
    /// chosen rates, both controls, the test split evaluated for the chosen runs only — and each of
    /// those equals the test accuracy of the same run made by `FinetuneTrainer` with the test at its end.
    @Test func protocolRunsAndDefersTheTest() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-ft-task-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let task = try Self.task()
        var plan = ProtocolPlan(name: "tiny", cells: FinetuneTask.cells(trainCounts: [9]), seeds: [1, 2, 3],
                                learningRates: [1e-3, 2e-3, 4e-3], runsFolder: runs)
        plan.selectionSeeds = 2
        plan.maxExtensions = 1
        let results = try ProtocolRunner(plan: plan, task: task) { _ in }.run()
        let o = ProtocolAnalysis.analyze(results, cells: plan.cells, direction: .higher)[0]
        #expect(o.arms.map(\.arm) == [.baseline, .tempBalance, .frozen, .uniform])
        for a in o.arms {
            #expect(a.runs.map(\.trial.seed) == [1, 2, 3] && a.runs.allSatisfy { $0.test != nil && $0.trainSamples == 9 }, "\(a.arm)")
        }
        #expect(results.filter { r in !o.arms.contains { a in a.runs.contains { $0.trial == r.trial } } }.allSatisfy { $0.test == nil })
        // TempBalance balanced the two blocks; its G is the uniform control's multiplier.
        let tb = try #require(o.arm(.tempBalance))
        #expect(tb.runs.allSatisfy { $0.multipliers.count > 0 && $0.boundSteps > 0 })
        #expect(o.arm(.uniform)?.uniformMultiplier == Selection.uniformMultiplier(tb.runs))
        // The deferred test is the test of the run's best epoch.
        let r = tb.runs[2]
        var c = try task.config(r.trial, folder: runs + "/direct")
        c.testAtEnd = true
        let direct = try FinetuneTrainer(config: c, data: try task.encodedSplits(count: 9, seed: r.trial.seed),
                                         pretrained: try PretrainedBert(Self.tiny)).run()
        #expect(direct.test?.accuracy == r.test && direct.bestValidation?.accuracy == r.validation)
    }

    /// The training subsets are stratified, seeded, disjoint from the fixed validation split.
    @Test func splits() throws {
        let task = try Self.task()
        let a = try task.encodedSplits(count: 9, seed: 1), b = try task.encodedSplits(count: 9, seed: 2)
        #expect(a.train.count == 9 && a.validation == b.validation && a.validation.count == 9 && a.test.count == 12)
        #expect(a.train != b.train)
        #expect((0..<3).allSatisfy { k in a.train.filter { $0.label == Int32(k) }.count == 3 })
        #expect(throws: (any Error).self) { _ = try task.config(Trial(cell: "n99", arm: .baseline, lr: 1e-3, seed: 1), folder: "") }
    }
}
