import Checkpoint
import Foundation

/// The run state beside the weights and optimizer moments in `resume.safetensors`
/// (metadata key `htsr_resume`, JSON).
struct ResumeState: Codable {
    var config: TrainConfig
    var step: Int
    var optimizerStep: Int
    var bestStep: Int?
    var bestAccuracy: Double?
    var elapsed: Double
    var trainSeconds: Double
    var analysisSeconds: Double
    var evalSeconds: Double
    /// TempBalance's multipliers in use, those not yet applied (exact Doubles; recomputations
    /// still running at the save are waited for and stored here) and its latest decisions.
    var balance: InLoopBalance.State

    /// Checks every number against what the run allows, naming the field of the first that is
    /// out of range: steps in 0…totalSteps, the best step at most the step, accuracies in [0, 1],
    /// seconds finite and not negative, one finite positive multiplier per parameter entry.
    func validate(totalSteps: Int, entries: Int) throws {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ allowed: String) throws {
            if !ok { throw TrainError.badResumeState("its \(field) \(value) is not \(allowed)") }
        }
        try check((0...totalSteps).contains(step), "step", step, "in 0…\(totalSteps) (the run's steps)")
        try check((0...totalSteps).contains(optimizerStep), "optimizer step", optimizerStep, "in 0…\(totalSteps) (the run's steps)")
        if let b = bestStep { try check((0...step).contains(b), "best step", b, "in 0…\(step) (the step reached)") }
        if let a = bestAccuracy { try check((0...1).contains(a), "best accuracy", a, "in [0, 1]") }
        for (field, seconds) in [("elapsed", elapsed), ("training seconds", trainSeconds), ("analysis seconds", analysisSeconds),
                                 ("evaluation seconds", evalSeconds)] {
            try check(seconds.isFinite && seconds >= 0, field, seconds, "a finite number of seconds ≥ 0")
        }
        try check(balance.active.count == entries, "multiplier count", balance.active.count, "the model's \(entries) parameter entries")
        for m in balance.active { try check(m.isFinite && m > 0, "multiplier", m, "finite and positive") }
        for p in balance.pending {
            try check((0...totalSteps).contains(p.step), "pending multipliers' step", p.step, "in 0…\(totalSteps)")
            try check(p.multipliers.count == entries, "pending multiplier count", p.multipliers.count, "the model's \(entries) parameter entries")
            for m in p.multipliers { try check(m.isFinite && m > 0, "pending multiplier", m, "finite and positive") }
        }
    }
}

extension Trainer {
    /// Writes `resume.safetensors` atomically.
    func saveResume(clock: Clock) throws {
        let state = ResumeState(config: config, step: step, optimizerStep: optimizer.stepCount, bestStep: bestStep,
                                bestAccuracy: bestAccuracy, elapsed: elapsedBefore + clock.now, trainSeconds: trainSeconds,
                                analysisSeconds: analysisSeconds, evalSeconds: evalSeconds, balance: try balance.state())
        let json = try JSONValueEncoder().encode(state).text()
        let extra = optimizer.stateTensors.map { WritableTensor(name: "optimizer." + $0.name, shape: $0.shape, floats: $0.values) }
        try CheckpointIO.save(model.parameters, extra: extra, metadata: ["htsr_resume": json], to: resumePath)
    }

    /// Restores weights, optimizer state and run state from `resume.safetensors`.
    func restore() throws {
        let path = resumePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainError.badResumeState("\(path) does not exist (run without --resume first)")
        }
        let checkpoint = try CheckpointIO.open(path)
        guard let json = checkpoint.metadata["htsr_resume"],
              let value = try? JSONParser.parse(Array(json.utf8)),
              let state = try? JSONValueDecoder().decode(ResumeState.self, from: value) else {
            throw TrainError.badResumeState("\(path) has no htsr resume state")
        }
        guard state.config.identity == config.identity else {
            throw TrainError.badResumeState("the options differ from those of the run in \(config.out) (resume with the same options)")
        }
        do { try state.validate(totalSteps: totalSteps, entries: balance.active.count) } catch let TrainError.badResumeState(problem) {
            throw TrainError.badResumeState("\(path): \(problem)")
        }
        try CheckpointIO.load(into: model.parameters, from: path)
        var tensors: [String: [Float]] = [:]
        for info in checkpoint.tensors where info.name.hasPrefix("optimizer.") {
            tensors[String(info.name.dropFirst("optimizer.".count))] = try checkpoint.readFloats(info)
        }
        try optimizer.restore(tensors: tensors, stepCount: state.optimizerStep)
        step = state.step
        bestStep = state.bestStep
        bestAccuracy = state.bestAccuracy
        elapsedBefore = state.elapsed
        trainSeconds = state.trainSeconds
        analysisSeconds = state.analysisSeconds
        evalSeconds = state.evalSeconds
        try balance.restore(state.balance)
    }
}
