import Checkpoint
import Foundation
import PowerLaw
import Settings
import Spectrum

/// A tensor that was not analysed, and why.
public struct SkippedTensor: Sendable, Equatable, Codable {
    public var name: String
    public var shape: [Int]
    public var dtype: String
    public var reason: String

    init(descriptor d: TensorDescriptor, reason: SkipReason) {
        name = d.name
        shape = d.shape
        dtype = d.dtype
        self.reason = reason.description
    }
}

/// What was analysed.
public struct SourceInfo: Sendable, Equatable, Codable {
    public var path: String
    public var format: String
    public var tensorCount: Int
    /// What the file says about the model (GGUF); absent otherwise.
    public var model: ModelInfo?

    init(_ source: TensorSource) {
        path = source.label
        format = source.formatName
        tensorCount = source.descriptors.count
        model = source.model
    }

    enum CodingKeys: String, CodingKey { case path, format, tensorCount = "tensor_count", model }
}

/// The layer order of an analysis (see `LayerOrder`): the order of its rows and `layer_id`s,
/// of the depth figures, and of the policy's first/last layer and norm routing.
public struct OrderInfo: Sendable, Equatable, Codable {
    public var method: LayerOrder.Method
    public var family: ModelFamily?
    /// The `config.json` or order file it came from.
    public var file: String?
    public var note: String?
    /// One line, e.g. "forward order of the bert family (from …/config.json)".
    public var description: String
    /// Every tensor of the source (analysed or skipped) in this order.
    public var tensors: [String]

    public init(_ order: LayerOrder, tensors: [String]) {
        method = order.method
        family = order.family
        file = order.file
        note = order.note
        description = order.summary
        self.tensors = tensors
    }

}

/// Model-level means (over successful fits only) and counts.
public struct Summary: Sendable, Equatable, Codable {
    public var layers: Int
    public var fitted: Int
    public var overTrained: Int
    public var underTrained: Int
    public var failed: Int
    public var nonFinite: Int
    /// `--base` / LoRA: layers whose difference is zero (not fitted, not failed, not averaged).
    public var unchanged: Int
    public var skipped: Int
    /// Column name → mean over the layers where that column has a value.
    public var means: [String: Double]

    /// The columns averaged in the summary (metrics-spec.md), plus both fits' α.
    public static let meanColumns = ["alpha", "alpha_weighted", "log_alpha_norm", "log_norm", "log_spectral_norm",
                                     "stable_rank", "D", "hill_alpha", "hill_alpha_weighted", "ks_alpha", "entropy",
                                     "mp_softrank", "num_spikes", "ww_softrank", "rand_distance", "farms_alpha"]

    init(layers: [LayerReport], skipped: Int) {
        self.layers = layers.count
        fitted = layers.filter { $0.status == .ok && $0.fit?.result.fit != nil }.count
        overTrained = layers.filter { $0.warning == .overTrained }.count
        underTrained = layers.filter { $0.warning == .underTrained }.count
        failed = layers.filter { $0.warning == .failed }.count
        nonFinite = layers.filter { if case .nonFinite = $0.status { return true } else { return false } }.count
        unchanged = layers.filter { $0.status == .unchanged }.count
        self.skipped = skipped
        var means: [String: Double] = [:]
        let rows = layers.filter { $0.status == .ok }.map(\.row)
        for column in Self.meanColumns {
            // Fit columns are null for failed fits, so they never enter a mean.
            let xs = rows.compactMap { $0[column]?.doubleValue }
            if !xs.isEmpty { means[column] = xs.reduce(0, +) / Double(xs.count) }
        }
        self.means = means
    }

    enum CodingKeys: String, CodingKey {
        case layers, fitted, overTrained = "over_trained", underTrained = "under_trained", failed
        case nonFinite = "non_finite", unchanged, skipped, means
    }

    /// Reads summaries of analyses written before `unchanged` existed (0 then).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layers = try c.decode(Int.self, forKey: .layers)
        fitted = try c.decode(Int.self, forKey: .fitted)
        overTrained = try c.decode(Int.self, forKey: .overTrained)
        underTrained = try c.decode(Int.self, forKey: .underTrained)
        failed = try c.decode(Int.self, forKey: .failed)
        nonFinite = try c.decode(Int.self, forKey: .nonFinite)
        unchanged = try c.decodeIfPresent(Int.self, forKey: .unchanged) ?? 0
        skipped = try c.decode(Int.self, forKey: .skipped)
        means = try c.decode([String: Double].self, forKey: .means)
    }
}

/// The result of `htsr analyze`: the options, a summary, one row per layer, the skipped tensors.
public struct AnalysisReport: Sendable, Equatable, Codable {
    public static let formatName = "htsr-analysis"
    public static let currentVersion = 1

    public var format = AnalysisReport.formatName
    public var version = AnalysisReport.currentVersion
    public var tool = "htsr \(htsrVersion)"
    public var source: SourceInfo
    public var options: AnalysisOptions
    public var summary: Summary
    public var layers: [LayerReport]
    public var skipped: [SkippedTensor]
    /// What was compared (`--base`, LoRA adapters); absent for a plain analysis.
    public var comparison: ComparisonInfo?
    /// The layer order used; absent in analyses written before htsr knew forward orders
    /// (their rows are in the checkpoint's stored order).
    public var order: OrderInfo?

    init(source: SourceInfo, options: AnalysisOptions, layers: [LayerReport], skipped: [SkippedTensor]) {
        self.source = source
        self.options = options
        self.layers = layers
        self.skipped = skipped
        summary = Summary(layers: layers, skipped: skipped.count)
    }

    /// Pretty-printed JSON (the layout of Foundation's `JSONEncoder`), members in declaration
    /// order and each row's columns in the analyzer's order: the same bytes in every run.
    public func jsonData() throws -> Data { Data(try JSONValueEncoder().encode(self).text(.pretty).utf8) }

    /// Several analyses as one JSON document: an array of analyses, each as `jsonData()` writes
    /// it (what `htsr analyze A B --format json` prints).
    public static func jsonData(_ reports: [AnalysisReport]) throws -> Data {
        let encoder = JSONValueEncoder()
        return Data(JSONValue.array(try reports.map { try encoder.encode($0) }).text(.pretty).utf8)
    }

    /// The layer rows of an analysis file as written (every column, including ones this
    /// version does not model and values it would not have written); nil if they cannot be read.
    public static func layerRows(_ data: Data) -> [Row]? {
        var json = try? JSONParser.parse([UInt8](data))
        if let items = json?.arrayValue, items.count == 1 { json = items[0] }  // `htsr analyze` of one checkpoint, in an array
        let stored = json?["layers"]?.arrayValue
        return stored.flatMap { try? $0.map { try Row(json: $0) } }
    }

    /// Reads an analysis file written by `htsr analyze --format json`, checking its format and version.
    ///
    /// - Throws: `AnalysisError.invalidAnalysisFile` naming the file: unreadable, not a JSON
    ///   object, another format or version, or a field that does not fit (named by its path).
    public static func load(_ path: String) throws -> AnalysisReport {
        let maximumFileBytes = 1 << 30
        let data: [UInt8]
        do { data = try InputFile.read(path, limit: maximumFileBytes) } catch let e as CheckpointError {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: e.message)
        }
        return try decode(Data(data), source: path)
    }

    /// Reads an analysis from `data` (a file's bytes or standard input); `source` names it in errors.
    /// An array holding exactly one analysis (`htsr analyze` of one checkpoint is an object, of
    /// several an array) is read as that analysis.
    ///
    /// - Throws: `AnalysisError.invalidAnalysisFile` as `load(_:)` does; an array of several
    ///   analyses is an error saying how many.
    public static func decode(_ data: Data, source path: String) throws -> AnalysisReport {
        guard var json = try? JSONParser.parse([UInt8](data)) else {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "not a JSON object")
        }
        if let items = json.arrayValue {
            guard items.count == 1 else {
                throw AnalysisError.invalidAnalysisFile(file: path, problem: "holds \(items.count) analyses (htsr analyze of several checkpoints); give one (htsr analyze -o DIR/ writes one file each)")
            }
            json = items[0]
        }
        guard json.objectMembers != nil else {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "not a JSON object")
        }
        let format = json["format"]?.stringValue
        guard format == formatName else {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "not an htsr analysis (format is '\(format ?? "missing")', expected '\(formatName)')")
        }
        let version = json["version"].map { try? JSONValueDecoder().decode(Int.self, from: $0) } ?? nil
        guard version == currentVersion else {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "analysis version \(version.map(String.init) ?? "missing") is not supported (this htsr reads version \(currentVersion)); re-run htsr analyze")
        }
        let report: AnalysisReport
        do {
            report = try JSONValueDecoder().decode(AnalysisReport.self, from: json)
        } catch {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "malformed analysis: \(JSONValueDecoder.describe(error))")
        }
        // The options are bounded as on the command line, the summary like the rows.
        do { try report.options.validate() } catch let e as InvalidSetting {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "options: \(e)")
        }
        let s = report.summary
        for (key, count) in [("layers", s.layers), ("fitted", s.fitted), ("over_trained", s.overTrained), ("under_trained", s.underTrained),
                             ("failed", s.failed), ("non_finite", s.nonFinite), ("skipped", s.skipped)] where count < 0 {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "summary.\(key) \(count) is negative")
        }
        if let (key, mean) = s.means.first(where: { !$0.value.isFinite || abs($0.value) > LayerReport.valueLimit }) {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "summary.means.\(key) \(mean) is beyond ±1e300, which no analysis writes")
        }
        return report
    }
}
