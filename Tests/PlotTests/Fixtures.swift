import Analyzer
import Foundation
@testable import Plot

/// Synthetic inputs whose numbers are exact and machine-independent, so snapshots are stable.
enum Fixtures {
    /// `n` Pareto quantiles `(1 − (i + ½)/n)^(−1/(α−1))`, ascending: a deterministic heavy tail.
    static func paretoQuantiles(alpha: Double, count n: Int, scale: Double = 1) -> [Double] {
        (0..<n).map { i in scale * pow(1 - (Double(i) + 0.5) / Double(n), -1 / (alpha - 1)) }.sorted()
    }

    /// A square diagonal matrix `diag(√λ)` (row-major): its ESD (eigenvalues of WᵀW) is exactly λ,
    /// since `dsyrk` squares each diagonal entry once and `dsyevd` leaves a diagonal matrix as is.
    static func diagonal(_ lambdas: [Double]) -> [Double] {
        let n = lambdas.count
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n { w[i * n + i] = lambdas[i].squareRoot() }
        return w
    }

    /// A small "model": attention q/k/v/o, an FFN pair, an embedding, with Pareto spectra of
    /// different tails, analysed in process (spectra kept).
    static func model(label: String = "toy", tailShift: Double = 0) throws -> AnalysisData {
        let specs: [(String, Double)] = [
            ("embeddings.word_embeddings.weight", 2.5),
            ("encoder.layer.0.attention.self.query.weight", 3.0),
            ("encoder.layer.0.attention.self.key.weight", 3.5),
            ("encoder.layer.0.attention.self.value.weight", 4.0),
            ("encoder.layer.0.attention.output.dense.weight", 1.8),
            ("encoder.layer.0.intermediate.dense.weight", 5.0),
            ("encoder.layer.0.output.dense.weight", 7.0),
        ]
        let tensors = specs.map { name, alpha in
            (name: name, shape: [48, 48], values: diagonal(paretoQuantiles(alpha: alpha + tailShift, count: 48)))
        }
        var options = AnalysisOptions()
        options.threads = 1
        return try AnalysisData.analyze(InMemorySource(label: label, tensors: tensors), label: label, options: options, keepEigenvalues: true)
    }

    /// The curves of a training run as the figures get them from a log: 3 layers, `intervals`
    /// steps 100 apart, α missing for one layer at the first step; a finished run has a best value.
    static func trainingCurves(intervals: Int = 6, task: String = "classification", finished: Bool = true) -> TrainingCurves {
        let ks = Array(0..<intervals)
        let loss = ks.map { 2.0 * pow(0.7, Double($0)) }
        let acc = ks.map { 1 - 0.5 * pow(0.8, Double($0)) }
        let metrics: [TrainingCurves.Curve] = task == "classification"
            ? [.init("train_accuracy", acc), .init("test_accuracy", acc.map { $0 - 0.02 }), .init("test_loss", loss.map { $0 * 1.1 })]
            : [.init("test_nrmse", loss.map { $0 / 4 }), .init("test_rmse", loss.map { $0 / 8 })]
        let layers = ["fc1", "fc2", "fc3"].enumerated().map { j, name in
            TrainingCurves.Layer(name: name, alpha: ks.map { k in k == 0 && j == 2 ? nil : 2.0 + Double(j) + 0.1 * Double(k) },
                                 learningRate: ks.map { _ in 0.01 * (1 - 0.1 * Double(j)) })
        }
        return TrainingCurves(model: "mlp", data: "mnist5k", policy: "tempbalance", steps: ks.map { ($0 + 1) * 100 }, trainLoss: loss,
                              learningRate: ks.map { _ in 0.01 }, metrics: metrics, layers: layers,
                              best: finished ? .init(step: intervals * 100 - 100, metric: "test_accuracy", value: 0.91) : nil)
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-plot-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Snapshot files under fixtures/snapshots/plot/: compared byte for byte; written only when
/// `HTSR_RECORD_SNAPSHOTS=1` (then the test records and passes), never silently.
enum Snapshot {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/snapshots/plot")
    static var recording: Bool { ProcessInfo.processInfo.environment["HTSR_RECORD_SNAPSHOTS"] == "1" }

    /// nil when the text matches (or was recorded); else a message with the first differing line.
    static func check(_ text: String, named name: String) -> String? {
        let url = folder.appendingPathComponent(name)
        if recording {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? text.write(to: url, atomically: true, encoding: .utf8)
            return nil
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "snapshot \(name) is missing; record it with HTSR_RECORD_SNAPSHOTS=1"
        }
        guard expected != text else { return nil }
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] {
            return "snapshot \(name) differs at line \(i + 1):\n  expected: \(i < a.count ? String(a[i]) : "<end>")\n  actual:   \(i < b.count ? String(b[i]) : "<end>")\n(re-record deliberately with HTSR_RECORD_SNAPSHOTS=1)"
        }
        return "snapshot \(name) differs"
    }
}

/// Width and height from a PNG's IHDR chunk (bytes 16–23), or nil if the bytes are not a PNG.
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let b = [UInt8](data.prefix(24))
    guard b.count == 24, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
    let w = b[16..<20].reduce(0) { $0 << 8 | Int($1) }
    let h = b[20..<24].reduce(0) { $0 << 8 | Int($1) }
    return (w, h)
}
