import Foundation

/// A plain-text listing of a PDEBench-layout file, for `htsr data inspect`.
public enum DataInspection {
    /// Summary statistics of one field over the samples read.
    public struct FieldStatistics: Sendable, Equatable {
        public let samplesRead: Int
        public let minimum: Double
        public let maximum: Double
        public let mean: Double
        public let standardDeviation: Double
        /// Count of NaN/Inf values (excluded from the other statistics).
        public let nonFinite: Int
    }

    /// Statistics of `field` over its first `samples` samples (read 16 at a time).
    public static func statistics(_ file: PDEBenchFile, field: String, samples: Int) throws -> FieldStatistics {
        let n = min(samples, file.samples)
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, sumSq = 0.0, count = 0, bad = 0
        var start = 0
        while start < n {
            let end = min(n, start + 16)
            for v in try file.read(field, samples: start..<end) {
                let x = Double(v)
                guard x.isFinite else { bad += 1; continue }
                lo = min(lo, x); hi = max(hi, x)
                sum += x; sumSq += x * x; count += 1
            }
            start = end
        }
        let mean = count > 0 ? sum / Double(count) : 0
        let variance = count > 0 ? max(0, sumSq / Double(count) - mean * mean) : 0
        return FieldStatistics(samplesRead: n, minimum: count > 0 ? lo : 0, maximum: count > 0 ? hi : 0,
                               mean: mean, standardDeviation: variance.squareRoot(), nonFinite: bad)
    }

    /// The listing: layout, sizes, each field's shape (and statistics over the first
    /// `statsSamples` samples), coordinate ranges, times, and the root attributes.
    public static func report(_ file: PDEBenchFile, statsSamples: Int) throws -> String {
        func g(_ x: Double) -> String { String(format: "%.6g", x) }
        var lines = ["file: \(file.path)",
                     "layout: \(file.layout.rawValue) (PDEBench)",
                     "samples: \(file.samples)   time steps: \(file.timeSteps)   grid: \(file.spatialShape.map(String.init).joined(separator: " × "))"]
        for field in file.fields {
            var line = "  \(field): \(file.shapes[field]!)"
            if statsSamples > 0 {
                let s = try statistics(file, field: field, samples: statsSamples)
                line += "  min \(g(s.minimum))  max \(g(s.maximum))  mean \(g(s.mean))  std \(g(s.standardDeviation))"
                if s.nonFinite > 0 { line += "  non-finite \(s.nonFinite)" }
                line += "  (first \(s.samplesRead) samples)"
            }
            lines.append(line)
        }
        for (d, axis) in file.axes.enumerated() {
            let name = ["x", "y", "z"][d]
            lines.append("  \(name)-coordinate: \(axis.count) points, \(g(axis.first ?? 0)) … \(g(axis.last ?? 0))")
        }
        if let t = file.times { lines.append("  t-coordinate: \(t.count) frames, \(g(t.first ?? 0)) … \(g(t.last ?? 0))") }
        for key in file.metadata.keys.sorted() { lines.append("attribute \(key): \(file.metadata[key]!)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
