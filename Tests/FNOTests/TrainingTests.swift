import Checkpoint
import Foundation
import PDE
import Testing
import Train
@testable import FNO

/// A temporary folder removed by `cleanup`.
struct Scratch {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "htsr-fno-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite(.serialized) struct TrainingTests {
    /// A tiny Darcy set (16 × 16, 14 samples) made by our generator.
    static func darcy(_ folder: String) throws -> String {
        let path = folder + "/darcy.h5"
        _ = try DataSetWriter.write(try DarcyGenerator(resolution: 16, refinement: 1), samples: 14, seed: 3, to: path, threads: 1)
        return path
    }

    static func config(_ data: String, out: String) -> FNOTrainConfig {
        var c = FNOTrainConfig()
        c.data = data
        c.testSamples = 3
        c.validationSamples = 3
        c.width = 6
        c.modes = 4
        c.projection = 16
        c.epochs = 12
        c.batchSize = 4
        c.lr = 5e-3
        c.stepSize = 100
        c.out = out
        c.evalEvery = 6
        return c
    }

    /// Single-step Darcy training: the loss falls, the test nRMSE falls, the log follows
    /// train-log-format (run line, one interval per epoch, final) and the weights are written
    /// under the reference's names.
    @Test func darcyTrainingReducesTheLoss() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let data = try Self.darcy(tmp.path)
        let trainer = try FNOTrainer(config: Self.config(data, out: tmp.path + "/run"))
        #expect(trainer.data.train.count == 8 && trainer.data.test.count == 3 && trainer.data.validation.count == 3)
        #expect(trainer.initialStep == 1 && trainer.tTrain == 2 && trainer.data.frames == 2)
        let outcome = try trainer.run()
        let lines = try String(contentsOfFile: tmp.path + "/run/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 + 12 + 1)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects[0]["kind"] as? String == "run" && objects[0]["task"] as? String == "regression")
        #expect(objects[0]["model"] as? String == "fno2d")
        let losses = objects[1...12].map { $0["train_loss"] as! Double }
        #expect(losses.last! < 0.5 * losses.first!, "train loss \(losses)")
        let nrmse = objects[1...12].compactMap { ($0["metrics"] as! [String: Any])["test_nrmse"] as? Double }
        #expect(nrmse.count == 2 && nrmse[1] < nrmse[0])
        #expect(objects[13]["kind"] as? String == "final")
        #expect(abs(outcome.test.nrmse! - nrmse.last!) < 1e-12)
        let saved = try Checkpoint.open(tmp.path + "/run/model.safetensors")
        #expect(saved.tensors.contains { $0.name == "conv0.weights2" && $0.shape == [6, 6, 4, 4, 2] })
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/run/best.safetensors"))
    }

    /// Same seed, same weights (bit for bit); TempBalance changes the rates of the balanced layers only.
    @Test func reproducibleAndTempBalanceRoutesRates() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let data = try Self.darcy(tmp.path)
        var c = Self.config(data, out: tmp.path + "/a")
        c.epochs = 2
        c.width = 14 // 14 eigenvalues per 1×1 conv: above the reference's threshold of 12
        _ = try FNOTrainer(config: c).run()
        c.out = tmp.path + "/b"
        _ = try FNOTrainer(config: c).run()
        let a = try Checkpoint.open(tmp.path + "/a/model.safetensors"), b = try Checkpoint.open(tmp.path + "/b/model.safetensors")
        for t in a.tensors { #expect(try a.readFloats(t) == b.readFloats(b.tensor(named: t.name)!)) }
        c.out = tmp.path + "/tb"
        c.policy = .tempbalance
        let t = try FNOTrainer(config: c)
        try t.run()
        #expect(t.balancedLayers == ["w0", "w1", "w2", "w3", "fc1"])
        let last = try String(contentsOfFile: tmp.path + "/tb/log.jsonl", encoding: .utf8).split(separator: "\n").dropLast().last!
        let layers = (try JSONSerialization.jsonObject(with: Data(last.utf8)) as! [String: Any])["layers"] as! [[String: Any]]
        let multipliers = Dictionary(uniqueKeysWithValues: layers.map { ($0["name"] as! String, $0["multiplier"] as! Double) })
        #expect(multipliers["fc0"] == 1 && multipliers["fc2"] == 1)
        #expect(["w0", "w1", "w2", "w3", "fc1"].contains { multipliers[$0] != 1 })
    }

    /// Autoregressive rollout on a tiny Navier–Stokes set: initial_step 3, t_train 5 → two
    /// steps in training, evaluation over all 6 frames; the loss falls.
    @Test func autoregressiveRolloutTrains() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let path = tmp.path + "/ns.h5"
        _ = try DataSetWriter.write(try NavierStokesGenerator(resolution: 8, frames: 6, interval: 0.5), samples: 8, seed: 2, to: path, threads: 1)
        var c = Self.config(path, out: tmp.path + "/run")
        c.testSamples = 2; c.validationSamples = 0; c.initialStep = 3; c.tTrain = 5; c.modes = 3; c.epochs = 15
        c.evalEvery = 15
        let trainer = try FNOTrainer(config: c)
        let o = try trainer.run()
        let lines = try String(contentsOfFile: tmp.path + "/run/log.jsonl", encoding: .utf8).split(separator: "\n")
        let losses = lines.dropFirst().dropLast().map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["train_loss"] as! Double }
        #expect(losses.last! < losses.first!, "train loss \(losses)")
        #expect(o.test.samples == 2 && o.test.nrmse != nil)
    }

    /// FNO1d on a tiny Burgers set: initial_step 2, t_train 4; the loss falls.
    @Test func burgersTrainsFNO1d() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let path = tmp.path + "/burgers.h5"
        _ = try DataSetWriter.write(try BurgersGenerator(resolution: 16, frames: 6, finalTime: 0.5, viscosity: 0.1), samples: 8,
                                    seed: 4, to: path, threads: 1)
        var c = Self.config(path, out: tmp.path + "/run")
        c.testSamples = 2; c.validationSamples = 0; c.initialStep = 2; c.tTrain = 4; c.modes = 5; c.epochs = 15; c.evalEvery = 15
        let trainer = try FNOTrainer(config: c)
        #expect(trainer.model.config.modelName == "fno1d" && trainer.model.config.padding == 0)
        try trainer.run()
        let lines = try String(contentsOfFile: tmp.path + "/run/log.jsonl", encoding: .utf8).split(separator: "\n")
        let losses = lines.dropFirst().dropLast().map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["train_loss"] as! Double }
        #expect(losses.last! < 0.5 * losses.first!, "train loss \(losses)")
    }

    /// A file of the wrong layout gives one line naming the file.
    @Test func wrongLayoutIsAOneLineError() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let bad = tmp.path + "/bad.h5"
        let w = try HDF5Writer(path: bad)
        try w.writeDataset("tensor", shape: [4, 8], values: [Float](repeating: 0, count: 32))
        try w.commit()
        var c = Self.config(bad, out: tmp.path + "/run")
        c.testSamples = 1
        do {
            _ = try FNOTrainer(config: c)
            Issue.record("no error for \(bad)")
        } catch {
            let m = "\(error)"
            #expect(m.contains(bad) && !m.contains("\n"), "\(m)")
        }
        let notHDF5 = tmp.path + "/notes.h5"
        try "hello".write(toFile: notHDF5, atomically: true, encoding: .utf8)
        c.data = notHDF5
        #expect(throws: TrainError.self) { _ = try FNOTrainer(config: c) }
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/run"))
    }
}
