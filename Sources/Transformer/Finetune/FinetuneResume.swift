import Checkpoint
import Foundation
import Train

/// The run state beside the weights and AdamW moments in `resume/state.safetensors` (metadata key
/// `htsr_finetune_resume`, JSON through Checkpoint's encoder; Doubles round-trip exactly).
struct FinetuneResumeState: Codable {
    var config: FinetuneConfig
    /// A hash of the training, validation and test tokens and labels: a resumed run must see the same data.
    var dataFingerprint: String
    var step: Int
    var optimizerStep: Int
    var bestEpoch: Int?
    var bestValidationAccuracy: Double?
    var bestValidationLoss: Double?
    var bestValidationCount: Int?
    var epochLoss: Double
    var epochSeen: Int
    var epochCorrect: Int
    var elapsed: Double
    var trainSeconds: Double
    var analysisSeconds: Double
    var evalSeconds: Double
    var balance: InLoopBalance.State
}

extension FinetuneTrainer {
    static let resumeKey = "htsr_finetune_resume"

    /// FNV-1a over every split's ids, types and labels.
    var dataFingerprint: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: Int32) {
            for byte in withUnsafeBytes(of: v.littleEndian, Array.init) { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        for split in [data.train, data.validation, data.test] {
            mix(Int32(truncatingIfNeeded: split.count))
            for e in split { mix(e.label); mix(Int32(e.ids.count)); e.ids.forEach(mix); e.typeIds.forEach(mix) }
        }
        return String(h, radix: 16)
    }

    /// Writes `resume/state.safetensors` atomically (waiting for TempBalance work in flight).
    func saveResume(elapsed: Double) throws {
        let state = FinetuneResumeState(
            config: config, dataFingerprint: dataFingerprint, step: step, optimizerStep: optimizer.stepCount,
            bestEpoch: bestEpoch, bestValidationAccuracy: bestValidation?.accuracy, bestValidationLoss: bestValidation?.loss,
            bestValidationCount: bestValidation?.count, epochLoss: epochLoss, epochSeen: epochSeen, epochCorrect: epochCorrect,
            elapsed: elapsed, trainSeconds: trainSeconds, analysisSeconds: analysisSeconds, evalSeconds: evalSeconds,
            balance: try balance.state())
        let json = try JSONValueEncoder().encode(state).text()
        let extra = optimizer.stateTensors.map { WritableTensor(name: "optimizer." + $0.name, shape: $0.shape, floats: $0.values) }
        try CheckpointIO.save(model.parameters, extra: extra, metadata: [Self.resumeKey: json], to: resumePath)
    }

    /// Restores weights, AdamW state and run state from `resume/state.safetensors`.
    func restore() throws {
        let path = resumePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainError.badResumeState("\(path) does not exist (run without --resume first)")
        }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.open(path) } catch let e as CheckpointError {
            throw TrainError.badCheckpoint(file: e.file, problem: e.message)
        }
        guard let json = checkpoint.metadata[Self.resumeKey], let value = try? JSONParser.parse(Array(json.utf8)),
              let state = try? JSONValueDecoder().decode(FinetuneResumeState.self, from: value) else {
            throw TrainError.badResumeState("\(path) holds no htsr fine-tuning state")
        }
        guard state.config.identity == config.identity else {
            throw TrainError.badResumeState("the options differ from those of the run in \(config.out) (resume with the same options)")
        }
        guard state.dataFingerprint == dataFingerprint else {
            throw TrainError.badResumeState("the data differ from those of the run in \(config.out)")
        }
        guard state.step >= 0, state.step <= totalSteps else { throw TrainError.badResumeState("\(path) is at step \(state.step) of \(totalSteps)") }
        try CheckpointIO.load(into: model.parameters, from: path)
        var tensors: [String: [Float]] = [:]
        for info in checkpoint.tensors where info.name.hasPrefix("optimizer.") {
            do { tensors[String(info.name.dropFirst("optimizer.".count))] = try checkpoint.readFloats(info) } catch let e as CheckpointError {
                throw TrainError.badCheckpoint(file: e.file, problem: e.message)
            }
        }
        try optimizer.restore(tensors: tensors, stepCount: state.optimizerStep)
        try balance.restore(state.balance)
        step = state.step
        bestEpoch = state.bestEpoch
        if let a = state.bestValidationAccuracy, let l = state.bestValidationLoss, let c = state.bestValidationCount {
            bestValidation = Evaluation(accuracy: a, loss: l, count: c)
        }
        epochLoss = state.epochLoss; epochSeen = state.epochSeen; epochCorrect = state.epochCorrect
        elapsedBefore = state.elapsed
        trainSeconds = state.trainSeconds; analysisCarry = state.analysisSeconds; analysisSeconds = state.analysisSeconds
        evalSeconds = state.evalSeconds
    }
}
