// The eigensolver crossover for Scripts/bench-eigensolver: for each order n, a Gram matrix of a
// deterministic random n × 2n matrix, solved values-only by dsyevd and by dsyevd_2stage in
// alternation (interleaved, so load on the machine hits both alike), single-threaded BLAS.
// Prints one JSON line per order with every time of both solvers.
//
//     BenchEigen [--orders 256,512,1024] [--repeat R]
internal import CStartup
import Foundation
import LinearAlgebra

_ = htsr_startup_linked()
let args = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
let orders = (option("--orders") ?? "128,256,384,512,640,768,1024,1536,2048,3072,4096").split(separator: ",").compactMap { Int($0) }
let repeats = Int(option("--repeat") ?? "3") ?? 3
BLASThreads.set(1)

var state: UInt64 = 0x9E37_79B9_7F4A_7C15
@MainActor func uniform() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Double(state >> 11) / Double(1 << 53) - 0.5
}
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

do {
    for n in orders {
        let w = (0..<(2 * n * n)).map { _ in uniform() }
        let gram = w.withUnsafeBufferPointer { SymmetricEigen.gramOfSmallerSide($0, rows: 2 * n, cols: n).matrix }
        var times: [SymmetricEigen.Solver: [Double]] = [:]
        var values: [SymmetricEigen.Solver: [Double]] = [:]
        for _ in 0..<repeats {
            for solver in SymmetricEigen.Solver.allCases {
                var a = gram
                var v: [Double] = []
                times[solver, default: []].append(try seconds { v = try SymmetricEigen.eigenvalues(symmetric: &a, n: n, solver: solver) })
                values[solver] = v
            }
        }
        let d = values[.dsyevd]!, t = values[.dsyevd2stage]!
        let maxDiff = zip(d, t).map { abs($0 - $1) }.max() ?? 0
        let fmt = { (x: [Double]) in "[" + x.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }
        print("{\"n\": \(n), \"dsyevd\": \(fmt(times[.dsyevd]!)), \"dsyevd_2stage\": \(fmt(times[.dsyevd2stage]!)), \"max_abs_difference_over_lambda_max\": \(maxDiff / d.last!)}")
        fflush(nil)  // all output streams (stdout is a C global Swift 6 will not touch)
    }
} catch {
    FileHandle.standardError.write(Data("BenchEigen: \(error)\n".utf8))
    exit(1)
}
