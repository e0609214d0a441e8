// Training-step throughput of htsr's BERT classifier on a real checkpoint, for
// Scripts/bench-finetune (which runs the PyTorch reference Scripts/bench-finetune-torch.py with
// the same model, batch and threads in the same run and prints the ratio).
//
//     BenchFinetune MODEL_DIR [--batch 16] [--length 128] [--classes 8] [--threads 1]
//                   [--steps 5] [--warmup 2] [--no-dropout]
//                   [--policy tempbalance [--balance-every 1] [--balance-lag 0] [--analysis-threads 1] [--in-line]
//                                         [--interleave K]]
//
// --interleave K: the timed steps alternate K plain steps and K steps with TempBalance in one process
// (each balanced block ends once its recomputations have finished), and the JSON line adds the
// median time per step of each kind of block: the overhead measured without the variation
// between processes.
//
// One step = zero the gradients, forward (dropout on, as in training), backward, clip the global
// norm to 1, AdamW (weight decay 0.1 on matrices) — what the PyTorch script times. Tokens are
// random ids (seeded), every position unmasked. Prints one JSON line with sequences/s and the
// process's peak resident set size. With --policy tempbalance the fine-tuning recipe's block-wise
// sigmoid (xmin_pos 1.5) is recomputed in the loop every N steps (`InLoopBalance`, as `htsr
// finetune` runs it) and the time it takes on the training thread is reported apart.
// process's peak resident set size, and sequences per CPU second (user + system time of the
// process: steadier than wall time on a shared machine).
internal import CStartup
import Foundation
import LinearAlgebra
import Random
import Train
import Transformer

_ = htsr_startup_linked()
let args = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}
guard args.count > 1, !args[1].hasPrefix("--") else {
    FileHandle.standardError.write(Data("usage: BenchFinetune MODEL_DIR [--batch 16] [--length 128] [--threads 1]\n".utf8))
    exit(64)
}
let batch = Int(option("--batch", "16"))!, length = Int(option("--length", "128"))!
let classes = Int(option("--classes", "8"))!, threads = Int(option("--threads", "1"))!
let steps = Int(option("--steps", "5"))!, warmup = Int(option("--warmup", "2"))!
let dropout = !args.contains("--no-dropout")
let tempBalance = option("--policy", "none") == "tempbalance"
let balanceEvery = Int(option("--balance-every", "1"))!, balanceLag = Int(option("--balance-lag", "0"))!
let analysisThreads = Int(option("--analysis-threads", "1"))!
/// The recomputation on the training thread, not overlapped with the step (htsr's trainers overlap it).
let inLine = args.contains("--in-line")
let interleave = Int(option("--interleave", "0"))!

do {
    BLASThreads.set(threads)
    let pretrained = try PretrainedBert(args[1])
    var encoder = pretrained.config
    if !dropout { encoder.hiddenDropout = 0; encoder.attentionDropout = 0 }
    let model = try BertClassifier<Float>(config: BertClassifierConfig(encoder: encoder, classes: classes),
                                          maxBatch: batch, maxLength: length)
    var rng = SeededRNG(seed: 0)
    let loadStart = DispatchTime.now().uptimeNanoseconds
    if dropout {
        try pretrained.load(into: model, rng: &rng)
    } else {
        let plain = try BertClassifier<Float>(config: BertClassifierConfig(encoder: pretrained.config, classes: classes), maxBatch: 1, maxLength: 1)
        try pretrained.load(into: plain, rng: &rng)
        model.parameters.values.copy(from: plain.parameters.values)
    }
    let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
    let ids = (0..<(batch * length)).map { i in i % length == 0 ? Int32(101) : Int32(1000 + rng.next() % 20000) }
    let tokens = TokenBatch(ids: ids, batch: batch, length: length)
    let labels = (0..<batch).map { _ in Int32(rng.next() % UInt64(classes)) }
    var optimizer = Train.Optimizer(AdamW(), layout: model.parameters.layout, weightDecay: 0.1, decays: .matrices, maxGradientNorm: 1)

    let policy = FinetuneConfig.defaultPolicy
    var probe = SpectrumProbe(policy: policy)
    probe.xminPos = 1.5
    probe.threads = analysisThreads
    let balance = InLoopBalance(layers: model.config.linearNames, parameterNames: model.parameters.entries.map(\.name),
                                policy: policy, probe: probe, timing: .everySteps(balanceEvery), lag: balanceLag,
                                overlap: !inLine)
    var stepIndex: UInt64 = 0
    var balanceOn = true
    func step() throws -> Double {
        if tempBalance && balanceOn { try balance.update(step: Int(stepIndex), epochStep: Int(stepIndex), parameters: model.parameters) }
        model.parameters.grads.zero()
        var dropoutRNG = SeededRNG(seed: 1, stream: .dropout(step: Int(stepIndex)))
        stepIndex += 1
        let loss = try model.forward(tokens, labels: labels, training: true, rng: &dropoutRNG)
        model.backward()
        balance.weightsWillChange()
        optimizer.step(model.parameters, eta: 3e-5, multipliers: balance.active)
        return loss
    }
    func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }
    for _ in 0..<warmup { _ = try step() }
    let analysis0 = balance.seconds
    let cpu0 = cpuSeconds()
    var times: [Double] = []
    var last = 0.0
    var blocks: (plain: [Double], balanced: [Double]) = ([], [])
    if tempBalance && interleave > 0 {
        try balance.settle()
        var k = 0
        while k < steps {
            for on in [false, true] {
                balanceOn = on
                let n = min(interleave, steps - k)
                guard n > 0 else { break }
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<n { last = try step() }
                if on { try balance.settle() }
                let perStep = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(n)
                if on { blocks.balanced.append(perStep) } else { blocks.plain.append(perStep) }
                times += Array(repeating: perStep, count: n)
                k += n
            }
        }
    } else {
        for _ in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            last = try step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
    }
    func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    let cpu = cpuSeconds() - cpu0
    let analysis = balance.seconds - analysis0
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let seconds = times.reduce(0, +)
    let best = times.min()!
    let policyField = tempBalance ? "tempbalance every \(balanceEvery) lag \(balanceLag) threads \(analysisThreads)\(inLine ? " in-line" : "")" : "none"
    let interleaved = blocks.plain.isEmpty ? "" : "\"interleaved_plain_step_seconds\":\(median(blocks.plain)),\"interleaved_balanced_step_seconds\":\(median(blocks.balanced)),\"interleaved_blocks\":\(blocks.plain.count),"
    print("{\"impl\":\"htsr\",\"policy\":\"\(policyField)\"," + interleaved + "\"analysis_seconds\":\(analysis),\"batch\":\(batch),\"length\":\(length),\"threads\":\(threads),\"steps\":\(steps),\"dropout\":\(dropout),"
          + "\"seconds\":\(seconds),\"sequences_per_second\":\(Double(steps * batch) / seconds),"
          + "\"best_step_sequences_per_second\":\(Double(batch) / best),\"cpu_seconds\":\(cpu),"
          + "\"sequences_per_cpu_second\":\(Double(steps * batch) / cpu),\"loss\":\(last),"
          + "\"load_seconds\":\(loadSeconds),\"peak_rss_mb\":\(Double(usage.ru_maxrss) / 1024)}")
} catch {
    FileHandle.standardError.write(Data("BenchFinetune: \(error)\n".utf8))
    exit(1)
}
