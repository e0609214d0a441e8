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
/// Prints `htsr_samples_per_second V`, `tempbalance_seconds V`, `step_seconds V`, and the four
/// spectral layers' ESDs (`spectral_esd_seconds V`, its real-embedding baseline
/// `spectral_esd_embedding_seconds V`, their largest difference relative to λmax).
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
// With the spectral layers balanced (`--include-spectral`), their pooled complex ESDs: through
// `HermitianEigen` (zherk + zheevd on each retained mode's I × O matrix), against the real
// embedding [[Re W, −Im W], [Im W, Re W]] (dsyrk + dsyevd, every eigenvalue twice; what htsr did
// before) as the baseline, on the same weights.
let spectralTensors = (0..<4).map { l in
    model.parameters.entries.filter { $0.module == "conv\(l)" }
        .map { (shape: $0.shape, values: model.parameters.values.array($0).map(Double.init)) }
}
func embeddingBaseline(_ tensors: [(shape: [Int], values: [Double])]) throws -> [Double] {
    var all: [Double] = []
    for t in tensors {
        let I = t.shape[0], O = t.shape[1], M = t.shape.dropFirst(2).dropLast().reduce(1, *)
        var e = [Double](repeating: 0, count: 4 * I * O)
        for k in 0..<M {
            for i in 0..<I {
                for j in 0..<O {
                    let at = ((i * O + j) * M + k) * 2, re = t.values[at], im = t.values[at + 1]
                    e[i * 2 * O + j] = re; e[i * 2 * O + O + j] = -im
                    e[(I + i) * 2 * O + j] = im; e[(I + i) * 2 * O + O + j] = re
                }
            }
            let pairs = try SymmetricEigen.gramEigenvalues(e, rows: 2 * I, cols: 2 * O)
            for j in stride(from: 1, to: pairs.count, by: 2) { all.append(pairs[j]) }
        }
    }
    return all.sorted()
}
var spectralBest = Double.infinity, embeddingBest = Double.infinity, spectralDifference = 0.0
for _ in 0..<o["repeats"]! {
    var t0 = now()
    let ours = try spectralTensors.map { try FNOBalance.spectralEigenvalues($0) }
    spectralBest = min(spectralBest, now() - t0)
    t0 = now()
    let baseline = try spectralTensors.map { try embeddingBaseline($0) }
    embeddingBest = min(embeddingBest, now() - t0)
    for (a, b) in zip(ours, baseline) {
        spectralDifference = max(spectralDifference, zip(a, b).map { abs($0 - $1) }.max()! / b.last!)
    }
}
print(String(format: "htsr_samples_per_second %.3f", Double(B * o["steps"]!) / best))
print(String(format: "step_seconds %.5f", best / Double(o["steps"]!)))
print(String(format: "tempbalance_seconds %.5f", balanceBest))
print(String(format: "spectral_esd_seconds %.5f", spectralBest))
print(String(format: "spectral_esd_embedding_seconds %.5f", embeddingBest))
print(String(format: "spectral_esd_max_relative_difference %.3e", spectralDifference))
