import Random

// Training throughput of htsr's MLP, for Scripts/bench-train (which runs the PyTorch reference
// Scripts/bench-train-torch.py with the same shapes in the same run and prints the ratio).
//
//     BenchTrain [--hidden 256,256,256,256] [--inputs 784] [--classes 10] [--batch 64]
//                [--threads 1] [--steps 300] [--warmup 30]
//
// One step = zero the gradients, forward, backward, SGD (momentum 0.9) update, on a fixed
// random batch (seeded), exactly what the PyTorch script times. Prints one JSON line.
internal import CStartup
import Foundation
import LinearAlgebra
import Train

_ = htsr_startup_linked()
let args = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}
let hidden = option("--hidden", "256,256,256,256").split(separator: ",").compactMap { Int($0) }
let inputs = Int(option("--inputs", "784"))!, classes = Int(option("--classes", "10"))!
let batch = Int(option("--batch", "64"))!, threads = Int(option("--threads", "1"))!
let steps = Int(option("--steps", "300"))!, warmup = Int(option("--warmup", "30"))!

BLASThreads.set(threads)
let model = MLP<Float>(config: MLPConfig(inputs: inputs, hidden: hidden, classes: classes), maxBatch: batch)
var rng = SeededRNG(seed: 0)
model.initialize(rng: &rng)
let x = (0..<(batch * inputs)).map { _ in Float(rng.uniform()) }
let y = (0..<batch).map { _ in Int32(rng.next() % UInt64(classes)) }
var optimizer = Optimizer(SGD(momentum: 0.9), layout: model.parameters.layout)
let rates = [Float](repeating: 0.01, count: model.parameters.entries.count)
var unused = SeededRNG(seed: 1)

@MainActor func step() -> Double {
    model.parameters.grads.zero()
    let loss = model.forward(x, labels: y, batch: batch, training: true, rng: &unused)
    model.backward()
    optimizer.step(model.parameters, learningRates: rates)
    return loss
}

for _ in 0..<warmup { _ = step() }
let start = DispatchTime.now().uptimeNanoseconds
var last = 0.0
for _ in 0..<steps { last = step() }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("{\"impl\":\"htsr\",\"batch\":\(batch),\"threads\":\(threads),\"steps\":\(steps),\"seconds\":\(seconds),\"examples_per_second\":\(Double(steps * batch) / seconds),\"loss\":\(last)}")
