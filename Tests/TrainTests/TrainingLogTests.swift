import Checkpoint
import Foundation
import Testing
@testable import Train

/// The training-log format: the reader, its errors, and the writer's lines read back.
@Suite struct TrainingLogTests {
    /// A log as `htsr train` writes it: 3 layers, `intervals` intervals every 100 steps, α missing
    /// for one layer at the first interval, an unknown kind, and a final line.
    static func text(intervals: Int = 4, task: String = "classification") -> String {
        var lines = [#"{"kind":"run","format":"htsr-train-log","version":1,"model":"mlp","task":"\#(task)","data":"mnist5k","seed":1,"policy":"tempbalance","args":{"lr":0.01},"layers":["fc1","fc2","fc3"],"steps":600}"#]
        for k in 0..<intervals {
            var layers: [String] = []
            for (j, name) in ["fc1", "fc2", "fc3"].enumerated() {
                let alpha = k == 0 && j == 2 ? "null" : "\(2.0 + Double(j) + 0.1 * Double(k))"
                layers.append(#"{"name":"\#(name)","alpha":\#(alpha),"lr":\#(0.01 * (1 - 0.1 * Double(j))),"multiplier":\#(1 - 0.1 * Double(j))}"#)
            }
            let metrics = task == "classification" ? #"{"train_accuracy":0.5,"test_accuracy":0.48,"test_loss":null}"# : #"{"test_nrmse":0.2}"#
            lines.append(#"{"kind":"interval","step":\#((k + 1) * 100),"epoch":\#(Double(k + 1) * 0.5),"lr":0.01,"train_loss":1.5,"metrics":\#(metrics),"layers":[\#(layers.joined(separator: ","))],"seconds":\#(Double(k) * 1.5)}"#)
        }
        lines.append(#"{"kind":"note","text":"unknown kinds are ignored"}"#)
        lines.append(#"{"kind":"final","step":\#(intervals * 100),"metrics":{"test_accuracy":0.9},"best":{"step":\#(intervals * 100 - 100),"metric":"test_accuracy","value":0.91},"seconds":9.5}"#)
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func parsesTheFormat() throws {
        let log = try TrainingLog.parse(Data(Self.text().utf8), file: "log.jsonl")
        #expect(log.run.model == "mlp" && log.run.policy == "tempbalance" && log.run.seed == 1)
        #expect(log.run.args == .members(["lr": .number("0.01")]) && log.run.details.map(\.key) == ["steps"])
        #expect(log.layerNames == ["fc1", "fc2", "fc3"])
        #expect(log.intervals.map(\.step) == [100, 200, 300, 400])
        #expect(log.intervals[0].layers[2].alpha == nil)
        #expect(log.intervals[1].layers[2].alpha == 4.1)
        #expect(log.intervals[0].metric("test_loss") == nil && log.intervals[0].metric("test_accuracy") == 0.48)
        #expect(log.metricNames == ["test_accuracy", "train_accuracy"])
        #expect(log.final?.best == TrainingLog.Best(step: 300, metric: "test_accuracy", value: 0.91))
    }

    /// A run that is still going has no final line.
    @Test func unfinishedRun() throws {
        let text = Self.text(intervals: 2, task: "regression").split(separator: "\n").dropLast().joined(separator: "\n")
        let log = try TrainingLog.parse(Data(text.utf8), file: "log.jsonl")
        #expect(log.final == nil && log.intervals.count == 2 && log.metricNames == ["test_nrmse"])
    }

    @Test(arguments: [
        ("{\"kind\":\"run\",\"format\":\"htsr-train-log\",\"version\":1}\n{not json\n", "log.jsonl:2: not a JSON object"),
        ("{\"kind\":\"run\",\"format\":\"htsr-train-log\",\"version\":1}\n[1]\n", "log.jsonl:2: not a JSON object"),
        ("{\"kind\":\"interval\",\"step\":1}\n", "log.jsonl:1: the first line must have \"kind\": \"run\""),
        ("{\"kind\":\"run\",\"format\":\"other\",\"version\":1}\n", "log.jsonl:1: not an htsr training log"),
        ("{\"kind\":\"run\",\"format\":\"htsr-train-log\",\"version\":2}\n", "log.jsonl:1: training log version 2 is not supported"),
        ("{\"kind\":\"run\",\"format\":\"htsr-train-log\",\"version\":1}\n{\"kind\":\"interval\",\"step\":\"x\"}\n", "log.jsonl:2: an interval needs an integer \"step\""),
        ("\n\n", "log.jsonl: empty training log"),
    ])
    func errorsNameFileAndLine(text: String, message: String) {
        #expect(throws: TrainingLogError.self) { try TrainingLog.parse(Data(text.utf8), file: "log.jsonl") }
        do { _ = try TrainingLog.parse(Data(text.utf8), file: "log.jsonl") } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    /// What the writer appends, the reader gives back (missing values as null, then nil).
    @Test func writerAndReaderAgree() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-log-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = TrainingLog.Run(model: "mlp", task: "classification", data: "mnist5k", seed: 7, policy: "none",
                                  args: .members(["lr": .double(0.1)]), layers: ["fc1", "fc2"],
                                  details: [JSONMember(key: "steps", value: .int(20))])
        let interval = TrainingLog.Interval(step: 10, epoch: 0.5, learningRate: 0.1, trainLoss: 2.25,
                                            metrics: [.init("test_accuracy", 0.5), .init("test_loss", nil)],
                                            layers: [.init(name: "fc1", alpha: 3.5, learningRate: 0.05, multiplier: 0.5),
                                                     .init(name: "fc2", alpha: nil, learningRate: 0.1, multiplier: 1)],
                                            seconds: 1.25)
        let final = TrainingLog.Final(step: 20, metrics: [.init("test_accuracy", 0.75)],
                                      best: .init(step: nil, metric: "test_accuracy", value: 0.8),
                                      timing: [.init("train", 3)], seconds: 4)
        do {
            let writer = try TrainingLogWriter(path: path, append: false)
            try writer.write(run)
            try writer.write(interval)
        }
        try TrainingLogWriter(path: path, append: true).write(final)
        let log = try TrainingLog.load(path)
        #expect(log == TrainingLog(file: path, run: run, intervals: [interval], final: final))
        let second = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")[1]
        #expect(second.hasPrefix(#"{"kind":"interval","step":10,"epoch":0.5,"lr":0.1,"train_loss":2.25,"metrics":{"test_accuracy":0.5,"test_loss":null}"#))
    }
}
