import Checkpoint
import Foundation
import Plot
import Testing
import Train
@testable import Experiments

/// The experiment figures go through Plot: the protocol's learning curves and paired
/// differences, and the training dynamics of a log.
@Suite struct ExperimentFigureTests {
    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-experiments-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Outcomes of a finished fake experiment (`FakeTask`).
    static func outcomes() throws -> [CellOutcome] {
        let runs = ProtocolTests.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let plan = ProtocolTests.plan(runs)
        let task = FakeTask(optimum: [.baseline: 0.01, .tempBalance: 0.005, .frozen: 0.005, .uniform: 0.005])
        return ProtocolAnalysis.analyze(try ProtocolRunner(plan: plan, task: task) { _ in }.run(), cells: plan.cells, direction: .lower)
    }

    /// The learning curves: per arm a ±1 std band and the mean line over the seeds; the paired
    /// figure: one interval per comparison, a zero line.
    @Test func protocolFigures() throws {
        let o = try Self.outcomes()
        let c = ProtocolReport.curves(o, name: "x", title: "t", metric: .nrmse)
        #expect(c.figure.name == "x-curves" && c.figure.panels.count == 1)
        let series = c.figure.panels[0].series
        #expect(series.count == 8 && series.compactMap(\.title) == ["baseline", "TempBalance", "TB frozen", "TB uniform"])
        guard case let .columns(band) = series[0].data, case let .columns(line) = series[1].data else { Issue.record("columns"); return }
        #expect(band.count == 3 && line[0] == [50, 100] && band[1][1] < line[1][1] && band[2][1] > line[1][1])
        #expect(c.data.split(separator: "\n").count == 1 + 4 * 2)
        let p = ProtocolReport.paired(o, name: "x", title: "t", metric: .nrmse)
        #expect(p.figure.panels[0].x.tics?.map(\.label) == ["TB − base", "frozen − base", "uniform − base", "TB − frozen", "TB − uniform"])
        #expect(p.figure.panels[0].horizontalLines.map(\.value) == [0])
        #expect(p.data.split(separator: "\n").count == 1 + 5)
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try Plotter.plot([c.figure, p.figure], options: PlotOptions(), gnuplot: try GnuplotLocator.find(), out: dir).files
        #expect(files == [dir + "/x-curves.png", dir + "/x-paired.png"])
    }

    /// The FNO dynamics are Plot's α heatmap and learning-rate figures of the run's log.
    @Test func dynamicsFromALog() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/log.jsonl"
        let writer = try TrainingLogWriter(path: log, append: false)
        try writer.write(TrainingLog.Run(model: "FNO2d", task: "regression", data: "d.h5", seed: 1, policy: "tempbalance",
                                         args: .object([]), layers: ["fc0", "w0", "fc2"]))
        for epoch in 1...3 {
            try writer.write(TrainingLog.Interval(step: 5 * epoch, epoch: Double(epoch), learningRate: 0.01, trainLoss: 1 / Double(epoch),
                                                  metrics: [.init("test_nrmse", 0.3)],
                                                  layers: [.init(name: "fc0", alpha: 3 + Double(epoch), learningRate: 0.012, multiplier: 1.2),
                                                           .init(name: "w0", alpha: 2.5, learningRate: 0.008, multiplier: 0.8),
                                                           .init(name: "fc2", alpha: nil, learningRate: 0.01, multiplier: 1)],
                                                  seconds: Double(epoch)))
        }
        let files = try TrainingDynamics.write(log: log, title: "x", name: "x-dynamics", to: dir + "/reports", gnuplot: try GnuplotLocator.find())
        #expect(files == [dir + "/reports/x-dynamics-alpha.png", dir + "/reports/x-dynamics-lr.png"])
        try "{\"kind\":\"run\"}\n".write(toFile: log, atomically: true, encoding: .utf8)
        #expect(throws: TrainingLogError.self) { try TrainingDynamics.write(log: log, title: "x", name: "y", to: dir, gnuplot: nil) }
    }

    /// A log's intervals become arrays with one entry per step, layers in depth order.
    @Test func curvesFromALog() {
        let run = TrainingLog.Run(model: "mlp", task: "classification", data: "digits", seed: 1, policy: "none", args: .object([]),
                                  layers: ["fc1", "fc2"])
        let intervals = [
            TrainingLog.Interval(step: 10, epoch: 1, learningRate: 0.1, trainLoss: 2, metrics: [.init("test_accuracy", 0.5)],
                                 layers: [.init(name: "fc2", alpha: 3, learningRate: 0.1, multiplier: 1)], seconds: 1),
            TrainingLog.Interval(step: 20, epoch: 2, learningRate: 0.05, trainLoss: nil, metrics: [.init("test_loss", 0.7)],
                                 layers: [.init(name: "fc1", alpha: nil, learningRate: 0.05, multiplier: 1)], seconds: 2),
        ]
        let final = TrainingLog.Final(step: 20, metrics: [], best: .init(step: 10, metric: "test_accuracy", value: 0.5), timing: [], seconds: 2)
        let c = TrainingCurves(TrainingLog(file: "log.jsonl", run: run, intervals: intervals, final: final))
        #expect(c.steps == [10, 20] && c.trainLoss == [2, nil] && c.learningRate == [0.1, 0.05])
        let metrics: [TrainingCurves.Curve] = [.init("test_accuracy", [0.5, nil]), .init("test_loss", [nil, 0.7])]
        #expect(c.metrics == metrics)
        let layers: [TrainingCurves.Layer] = [.init(name: "fc1", alpha: [nil, nil], learningRate: [nil, 0.05], multiplier: [nil, 1]),
                                              .init(name: "fc2", alpha: [3, nil], learningRate: [0.1, nil], multiplier: [1, nil])]
        #expect(c.layers == layers)
        #expect(c.best == TrainingCurves.Best(step: 10, metric: "test_accuracy", value: 0.5))
    }
}

/// `htsr plot RUN RUN…`: the runs' names, their seeds, their groups.
@Suite struct RunGroupTests {
    @Test func namesAndSeeds() {
        #expect(TrainingRunGroup.runName(log: "runs/tb-s1/log.jsonl") == "tb-s1")
        #expect(TrainingRunGroup.runName(log: "logs/base.jsonl") == "base")
        for (name, stem) in [("base-s1", "base"), ("tb_seed2", "tb"), ("base-3", "base"), ("run.s4", "run"), ("tbseed5", "tb"),
                             ("seed5", "seed5"), ("mlp2", "mlp2"), ("base", "base")] {
            #expect(TrainingRunGroup.strippingSeed(name) == stem, "\(name)")
        }
        #expect(TrainingRunGroup.policyName("none") == "baseline" && TrainingRunGroup.policyName("tempbalance") == "TempBalance")
    }

    /// Three logs: grouped by name without the seed, by policy, or not at all; a log given twice
    /// is an error naming it.
    @Test func grouping() throws {
        let dir = try ExperimentFigureTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var logs: [String] = []
        for (name, policy) in [("base-s1", "none"), ("tb-s1", "tempbalance"), ("base-s2", "none")] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
            let w = try TrainingLogWriter(path: "\(dir)/\(name)/log.jsonl", append: false)
            try w.write(TrainingLog.Run(model: "mlp", task: "classification", data: "digits", seed: 1, policy: policy, args: .object([]), layers: ["fc1"]))
            try w.write(TrainingLog.Interval(step: 10, epoch: 1, learningRate: 0.1, trainLoss: 1, metrics: [],
                                             layers: [.init(name: "fc1", alpha: 3, learningRate: 0.1, multiplier: 1)], seconds: 1))
            logs.append("\(dir)/\(name)/log.jsonl")
        }
        let byName = try TrainingRunGroup.load(logs: logs, grouping: .name)
        #expect(byName.map(\.name) == ["base", "tb"] && byName.map(\.runs.count) == [2, 1])
        let byPolicy = try TrainingRunGroup.load(logs: logs, grouping: .policy)
        #expect(byPolicy.map(\.name) == ["baseline", "TempBalance"] && byPolicy.map(\.runs.count) == [2, 1])
        #expect(try TrainingRunGroup.load(logs: logs, grouping: .none).map(\.name) == ["base-s1", "tb-s1", "base-s2"])
        #expect(throws: TrainingLogError.self) { try TrainingRunGroup.load(logs: [logs[0], logs[0]], grouping: .name) }
    }
}
