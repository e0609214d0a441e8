import Checkpoint
import Foundation
import Random
import Testing
@testable import Train

/// The MLP and the optimizers against PyTorch (llm.c's golden test), from
/// `fixtures/golden/mlp.safetensors` (made by `Scripts/make-mlp-golden.py`, torch 2.13, Float32):
/// two models (ReLU; GELU + LayerNorm) with the same names, initial weights and batch; the
/// logits, loss and every parameter's gradient; ten steps of SGD, SGD + momentum + L2 decay
/// (StepLR), Nesterov (cosine), Adam (L2) and AdamW (decoupled, warmup + linear decay, global-norm
/// clipping), each with per-tensor rates and decay on weights only (torch param groups).
///
/// Errors are relative to the tensor's scale, max|a − b| / max|b| (per step for the losses).
/// Tolerances, with the maximum measured (x86-64, OpenBLAS, 1 thread) in brackets:
/// loss and logits 1e-5 [loss 2.1e-8, logits 2.5e-7]; gradients 1e-5 [3.3e-7]; the ten losses
/// 1e-5 [1.9e-7]; gradient norms 1e-5 [9.3e-8]; weights after ten steps 2e-5 [1.1e-6]. Decaying
/// the biases too, for instance, moves the weights by 8e-4 to 5e-2.
/// (Float32 rounding differs between the two: BLAS sums, erf, the order of Adam's terms.)
@Suite struct MLPGoldenTests {
    static let models = ["relu", "gelu_ln"]
    static let runs = ["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adamw"]
    static let forwardTolerance = 1e-5, gradientTolerance = 1e-5, lossTolerance = 1e-5, weightTolerance = 2e-5

    struct ModelSpec: Decodable {
        var inputs: Int
        var hidden: [Int]
        var classes: Int
        var activation: String
        var layer_norm: Bool
    }

    struct RunSpec: Decodable {
        var optimizer: String
        var lr: Float
        var momentum: Float?
        var nesterov: Bool?
        var weight_decay: Float
        var clip: Float?
        var schedule: String
        var step_size: Int?
        var gamma: Float?
        var total_steps: Int?
        var min_ratio: Float?
        var warmup: Int?
    }

    /// The fixture: its tensors, and the models and runs its metadata describes.
    struct Golden {
        let file: Checkpoint
        let models: [String: ModelSpec]
        let runs: [String: RunSpec]
        let steps: Int
        let batch: Int

        init() throws {
            let file = try Checkpoint.open(TestData.root.appendingPathComponent("fixtures/golden/mlp.safetensors").path)
            func json<T: Decodable>(_ key: String) throws -> T {
                try JSONDecoder().decode(T.self, from: Data(try #require(file.metadata[key], "metadata \(key)").utf8))
            }
            self.file = file
            models = try json("models")
            runs = try json("runs")
            steps = try #require(file.metadata["steps"].flatMap { Int($0) })
            batch = try #require(file.metadata["batch"].flatMap { Int($0) })
        }

        func floats(_ name: String) throws -> [Float] {
            try file.readFloats(try #require(file.tensor(named: name), "fixture tensor \(name)"))
        }

        /// The model with the fixture's initial weights, and the batch.
        func model(_ name: String) throws -> (MLP<Float>, x: [Float], y: [Int32]) {
            let spec = try #require(models[name])
            let config = MLPConfig(inputs: spec.inputs, hidden: spec.hidden, classes: spec.classes,
                                   activation: try #require(Activation(rawValue: spec.activation)), layerNorm: spec.layer_norm)
            let mlp = MLP<Float>(config: config, maxBatch: batch)
            try load(mlp.parameters, "\(name).init.")
            let y = try file.readDoubles(try #require(file.tensor(named: "y"))).map { Int32($0) }
            return (mlp, try floats("x"), y)
        }

        /// Expects every tensor of `buffer` (parameter or gradient values) within `tolerance` of the
        /// fixture's `<prefix><name>`; returns the largest error.
        func expectClose(_ buffer: FlatBuffer<Float>, _ parameters: ParameterSet<Float>, to prefix: String,
                         _ tolerance: Double) throws -> Double {
            var worst = 0.0
            for e in parameters.entries {
                let err = MLPGoldenTests.error(buffer.array(e), try floats(prefix + e.name), prefix + e.name)
                #expect(err <= tolerance, "\(prefix + e.name): error \(err)")
                worst = max(worst, err)
            }
            return worst
        }

        /// Overwrites every parameter with the fixture's `<prefix><name>` (same shape).
        func load(_ parameters: ParameterSet<Float>, _ prefix: String) throws {
            for e in parameters.entries {
                let info = try #require(file.tensor(named: prefix + e.name), "fixture tensor \(prefix + e.name)")
                try #require(info.shape == e.shape, "\(e.name): fixture shape \(info.shape), model \(e.shape)")
                parameters.values.set(e, try file.readFloats(info))
            }
        }
    }

    /// max|a − b| / max|b| (counts checked first).
    static func error(_ a: [Float], _ b: [Float], _ what: String) -> Double {
        #expect(a.count == b.count, "\(what): \(a.count) values, reference \(b.count)")
        let scale = b.map { Double(abs($0)) }.max() ?? 0
        let diff = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
        return diff / max(scale, .leastNormalMagnitude)
    }

    /// The fixture holds exactly the models and runs these tests take as arguments.
    @Test func fixtureDescribesTheTestedCases() throws {
        let g = try Golden()
        #expect(g.models.keys.sorted() == Self.models.sorted())
        #expect(g.runs.keys.sorted() == Self.runs.sorted())
        #expect(g.steps == 10)
    }

    @Test(arguments: models)
    func forwardAndGradients(_ name: String) throws {
        let g = try Golden()
        let (mlp, x, y) = try g.model(name)
        var rng = SeededRNG(seed: 0)
        let loss = mlp.forward(x, labels: y, batch: g.batch, training: false, rng: &rng)
        mlp.backward()
        let refLoss = Double(try g.floats("\(name).loss")[0])
        let lossError = abs(loss - refLoss) / refLoss
        let logitsEntry = try #require(mlp.actLayout["logits"])
        let logits = Array(UnsafeBufferPointer(start: mlp.acts[logitsEntry], count: g.batch * mlp.config.classes))
        let logitsError = Self.error(logits, try g.floats("\(name).logits"), "logits")
        #expect(lossError <= Self.forwardTolerance, "\(name) loss \(loss) vs \(refLoss)")
        #expect(logitsError <= Self.forwardTolerance, "\(name) logits error \(logitsError)")
        let worst = try g.expectClose(mlp.parameters.grads, mlp.parameters, to: "\(name).grad.", Self.gradientTolerance)
        print("golden \(name): loss \(lossError), logits \(logitsError), gradients \(worst)")
    }

    @Test(arguments: models, runs)
    func tenOptimizerSteps(_ name: String, _ runName: String) throws {
        let g = try Golden()
        let run = try #require(g.runs[runName])
        let (mlp, x, y) = try g.model(name)
        var settings = OptimizerSettings(kind: try #require(OptimizerKind(rawValue: run.optimizer)))
        settings.momentum = run.momentum ?? 0
        settings.nesterov = run.nesterov ?? false
        settings.weightDecay = run.weight_decay
        var optimizer = settings.make(layout: mlp.parameters.layout, decays: .matrices, maxGradientNorm: run.clip)
        let schedule = try #require(ScheduleKind(rawValue: run.schedule)).schedule(
            base: run.lr, totalSteps: run.total_steps ?? g.steps, stepSize: run.step_size ?? 1, gamma: run.gamma ?? 0.1,
            warmup: run.warmup ?? 0, minRatio: run.min_ratio ?? 0)
        let multipliers = try g.floats("\(name).multipliers").map { Double($0) }
        #expect(multipliers.count == mlp.parameters.entries.count)
        var rng = SeededRNG(seed: 0)
        var losses: [Float] = [], norms: [Float] = []
        for t in 0..<g.steps {
            mlp.parameters.grads.zero()
            losses.append(Float(mlp.forward(x, labels: y, batch: g.batch, training: false, rng: &rng)))
            mlp.backward()
            if let norm = optimizer.step(mlp.parameters, eta: Double(schedule(t)), multipliers: multipliers) { norms.append(Float(norm)) }
        }
        let refLosses = try g.floats("\(name).\(runName).losses")
        #expect(losses.count == refLosses.count)
        let lossError = zip(losses, refLosses).map { Double(abs($0 - $1) / $1) }.max() ?? .infinity
        #expect(lossError <= Self.lossTolerance, "\(name) \(runName) losses \(losses) vs \(refLosses)")
        var normError = 0.0
        if run.clip != nil {
            normError = Self.error(norms, try g.floats("\(name).\(runName).grad_norms"), "gradient norms")
            #expect(normError <= Self.lossTolerance, "\(name) \(runName) gradient norms \(norms)")
        }
        let worst = try g.expectClose(mlp.parameters.values, mlp.parameters, to: "\(name).\(runName).final.", Self.weightTolerance)
        print("golden \(name) \(runName): losses \(lossError), norms \(normError), weights \(worst)")
    }
}
