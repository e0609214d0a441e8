// The cost of reading HDF5 through the worker process (HDF5Isolation) for Scripts/bench-hdf5:
// a file opened and every tensor read as Float64, in this process and through a worker (this
// executable, re-executed as its hdf5-worker), in alternation (A B A B ...: load on the machine
// hits both alike). Prints one JSON object: every wall time of both ways, the tensor count and
// bytes read.
//
//     BenchHDF5 FILE [--repeat R]
import Checkpoint
import Foundation

let args = CommandLine.arguments
if args.count > 1, args[1] == HDF5Isolation.subcommand { HDF5Isolation.serve() }
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BenchHDF5: \(message)\n".utf8))
    exit(1)
}
guard args.count >= 2 else { fail("usage: BenchHDF5 FILE [--repeat R]") }
let file = args[1]
let repeats = args.firstIndex(of: "--repeat").flatMap { $0 + 1 < args.count ? Int(args[$0 + 1]) : nil } ?? 5
let worker = HDF5Isolation.Worker(executable: "/proc/self/exe")

/// Opens `file` and reads every tensor; returns (seconds, tensors, bytes as Float64).
func readAll(_ isolated: Bool) throws -> (Double, Int, Int) {
    HDF5Isolation.use(isolated ? worker : nil)
    let start = DispatchTime.now().uptimeNanoseconds
    let checkpoint = try Checkpoint.open(file)
    var bytes = 0
    for t in checkpoint.tensors where t.unreadable == nil {
        bytes += try checkpoint.readDoubles(t).count * 8
    }
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, checkpoint.tensors.count, bytes)
}

do {
    var local: [Double] = [], isolated: [Double] = []
    var tensors = 0, bytes = 0
    _ = try readAll(false)   // the file in the page cache before the first timing
    for _ in 0..<repeats {
        let a = try readAll(false), b = try readAll(true)
        guard a.1 == b.1, a.2 == b.2 else { fail("the worker read \(b.1) tensors (\(b.2) bytes), the process \(a.1) (\(a.2))") }
        local.append(a.0)
        isolated.append(b.0)
        (tensors, bytes) = (a.1, a.2)
    }
    let fmt = { (x: [Double]) in "[" + x.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }
    print("{\"file\": \"\(file)\", \"tensors\": \(tensors), \"float64_bytes\": \(bytes), \"in_process\": \(fmt(local)), \"worker\": \(fmt(isolated))}")
} catch {
    fail("\(error)")
}
