// The bare LAPACK baseline for Scripts/bench-analyze: the same matrices `htsr analyze` selects,
// loaded into memory first (not timed), then only dsyrk + dsyevd per slice on the same number
// of worker threads with single-threaded BLAS. Prints one JSON line with the seconds.
//
//     BenchAnalyze CHECKPOINT [--threads N] [--repeat R]
import Analyzer
import Checkpoint
import Dispatch
import Foundation
import Synchronization
import LinearAlgebra
import Spectrum

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: BenchAnalyze CHECKPOINT [--threads N] [--repeat R]\n".utf8))
    exit(64)
}
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let threads = option("--threads", ProcessInfo.processInfo.activeProcessorCount)
let repeats = option("--repeat", 3)

do {
    let checkpoint = try Checkpoint.open(args[1])
    var options = AnalysisOptions()
    options.threads = threads
    let layers = try Analyzer.selectedLayers(checkpoint, options: options)
    let data = try layers.map { try checkpoint.readDoubles($0.descriptor) }
    let order = layers.indices.sorted { data[$0].count > data[$1].count }
    BLASThreads.set(1)
    var best = Double.infinity
    for _ in 0..<repeats {
        let next = Mutex<Int>(0)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let j = next.withLock { k in defer { k += 1 }; return k }
                guard j < order.count else { return }
                let i = order[j]
                data[i].withUnsafeBufferPointer { p in
                    try! layers[i].matrices.forEachSlice(of: p) { slice in
                        _ = try SymmetricEigen.gramEigenvalues(slice, rows: layers[i].matrices.rows, cols: layers[i].matrices.cols)
                    }
                }
            }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    print("{\"layers\": \(layers.count), \"threads\": \(threads), \"seconds\": \(best)}")
} catch {
    FileHandle.standardError.write(Data("BenchAnalyze: \(error)\n".utf8))
    exit(1)
}
