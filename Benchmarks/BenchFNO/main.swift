internal import CStartup
import FNO
import Foundation
import LinearAlgebra
import Random
import Train

/// Training throughput of FNO2d (PDEBench's, the paper's 2-D CFD setting by default: 4 channels,
/// initial_step 10, width 20, modes 12, 64 × 64, batch 20): one step = forward, MSE, backward,
/// Adam (through `Rollout.trainStep`, the trainer's path) — the unit `Scripts/bench-fno-torch.py` times — and the cost of one TempBalance
/// recomputation (fc0, w0…w3, fc1, fc2: ESD in Double + Hill).
///
/// Prints `htsr_samples_per_second V`, `tempbalance_seconds V`, `step_seconds V`.
/// Usage: BenchFNO [--threads 1] [--size 64] [--batch 20] [--width 20] [--modes 12] [--channels 4]
///        [--initial-step 10] [--steps 10] [--repeats 3]
var options: [String: Int] = ["threads": 1, "size": 64, "batch": 20, "width": 20, "modes": 12, "channels": 4,
                              "initial-step": 10, "steps": 10, "repeats": 3]
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    guard a.hasPrefix("--"), let v = args.popFirst(), let n = Int(v), options[String(a.dropFirst(2))] != nil else {
        FileHandle.standardError.write(Data("BenchFNO: bad argument \(a)\n".utf8))
        exit(64)
    }
    options[String(a.dropFirst(2))] = n
}
let o = options.mapValues { $0 }
BLASThreads.set(o["threads"]!)
let s = o["size"]!, B = o["batch"]!, C = o["channels"]!, K = o["initial-step"]!
let config = FNOConfig(spatialShape: [s, s], inputChannels: K * C, outputChannels: C, width: o["width"]!, modes: o["modes"]!)
var grid: [Double] = []
for i in 0..<s { for j in 0..<s { grid += [Double(i) / Double(s - 1), Double(j) / Double(s - 1)] } }
let model = try FNOModel<Float>(config: config, grid: grid, maxBatch: B)
var rng = SeededRNG(seed: 0)
model.initialize(rng: &rng)
var optimizer = Optimizer(Adam(), layout: model.parameters.layout, weightDecay: 1e-4, decays: .all)
// One sample = K + 1 frames [S, K+1, C]: the model sees K and predicts the last (one rollout step,
// through `Rollout`, the trainer's own Float path: the FNO module's code specialised for Float).
let frames = K + 1
let data = (0..<(B * s * s * frames * C)).map { _ in Float(rng.normal()) }
let rollout = Rollout(model: model, initialStep: K, channels: C)
let rates = [Float](repeating: 1e-3, count: model.parameters.entries.count)

@MainActor func step() throws {
    model.parameters.grads.zero()
    _ = try data.withUnsafeBufferPointer { try rollout.trainStep(data: $0.baseAddress!, batch: B, frames: frames, tTrain: frames) }
    optimizer.step(model.parameters, learningRates: rates)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
for _ in 0..<2 { try step() }
var best = Double.infinity
for _ in 0..<o["repeats"]! {
    let t0 = now()
    for _ in 0..<o["steps"]! { try step() }
    best = min(best, now() - t0)
}
var balanceBest = Double.infinity
let balance = FNOBalanceOptions(s: 1)
for _ in 0..<o["repeats"]! {
    let t0 = now()
    let spectra = FNOBalance.spectra(model.parameters, config: config, options: balance)
    _ = FNOBalance.decide(spectra, parameterNames: model.parameters.entries.map(\.name), options: balance)
    balanceBest = min(balanceBest, now() - t0)
}
print(String(format: "htsr_samples_per_second %.3f", Double(B * o["steps"]!) / best))
print(String(format: "step_seconds %.5f", best / Double(o["steps"]!)))
print(String(format: "tempbalance_seconds %.5f", balanceBest))
