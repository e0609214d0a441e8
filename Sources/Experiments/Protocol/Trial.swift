import Foundation
import Train

/// The four arms of a TempBalance comparison.
public enum Arm: String, Sendable, Codable, CaseIterable, Comparable {
    case baseline
    case tempBalance = "tempbalance"
    /// Control: TempBalance's first multipliers, frozen.
    case frozen = "tb-frozen"
    /// Control: one uniform multiplier (the geometric mean of TempBalance's) on the layers it balances.
    case uniform = "tb-uniform"

    /// The trainers' policy for this arm.
    public var policy: PolicyMode {
        switch self {
        case .baseline: return .none
        case .tempBalance: return .tempbalance
        case .frozen: return .frozen
        case .uniform: return .uniform
        }
    }

    /// The name in tables and figures.
    public var label: String {
        switch self {
        case .baseline: return "baseline"
        case .tempBalance: return "TempBalance"
        case .frozen: return "TB frozen"
        case .uniform: return "TB uniform"
        }
    }

    public static func < (a: Arm, b: Arm) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// One training run of a protocol: a cell (a data setting, e.g. 50 training samples), an arm,
/// its hyperparameters and a seed. The seed fixes the data subset and the initialisation, the
/// same for every arm (paired seeds).
public struct Trial: Sendable, Hashable, Codable {
    public var cell: String
    public var arm: Arm
    public var lr: Double
    /// TempBalance's policy scale s (the sigmoid's s_min = s_max); nil for the baseline and for
    /// a policy without one (tb_linear_map).
    public var scale: Double?
    /// The uniform control's multiplier.
    public var uniformMultiplier: Double?
    public var seed: UInt64

    public init(cell: String, arm: Arm, lr: Double, scale: Double? = nil, uniformMultiplier: Double? = nil, seed: UInt64) {
        self.cell = cell; self.arm = arm; self.lr = lr; self.scale = scale; self.uniformMultiplier = uniformMultiplier; self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case cell, arm, lr, scale, uniformMultiplier = "uniform_multiplier", seed
    }

    /// The run's folder name: `<cell>-<arm>-lr<lr>[-s<s>][-g<g>]-seed<seed>`.
    public var key: String {
        var k = "\(cell)-\(arm.rawValue)-lr\(Self.number(lr))"
        if let s = scale { k += "-s\(Self.number(s))" }
        if let g = uniformMultiplier { k += "-g\(Self.number(g))" }
        return k + "-seed\(seed)"
    }

    /// A number in file names and tables: up to 6 significant digits (`%g`).
    public static func number(_ v: Double) -> String { String(format: "%g", v) }
}

/// One layer's time-averaged multiplier in a run (`MultiplierSummary`).
public struct LayerMultiplier: Sendable, Codable, Equatable {
    public var layer: String
    public var multiplier: Double
}

/// A point of a run's learning curve: the validation and test metric after `step` optimizer steps.
public struct CurvePoint: Sendable, Codable, Equatable {
    public var step: Int
    public var validation: Double?
    public var test: Double?
}

/// What one trial gave. The metric is the task's (nRMSE, accuracy): `validation` chooses
/// hyperparameters, `test` is reported. Both nil when the run diverged.
public struct TrialResult: Sendable, Codable {
    public var trial: Trial
    public var validation: Double?
    public var test: Double?
    /// Further test metrics by name (e.g. `test_rmse`); a deferred test evaluation
    /// (`ProtocolTask.defersTest`) adds its cost as `test_seconds` and `test_cpu_seconds`.
    public var extra: [String: Double] = [:]
    public var diverged = false
    public var trainSamples: Int
    public var steps: Int
    /// Wall seconds and CPU seconds of the thread that ran the trial.
    public var seconds: Double
    public var cpuSeconds: Double
    /// Per balanced layer, the η-weighted time average of its multiplier (empty for the baseline).
    public var multipliers: [LayerMultiplier] = []
    /// Layer-steps with the multiplier within 10 % of a bound of the policy's range, of all layer-steps.
    public var nearBound = 0
    public var boundSteps = 0
    public var curve: [CurvePoint] = []
    /// The run's full options (`ProtocolTask.fingerprint`): a stored result is reused only when they match.
    public var fingerprint = ""

    public init(trial: Trial, validation: Double?, test: Double?, diverged: Bool, trainSamples: Int, steps: Int) {
        self.trial = trial; self.validation = validation; self.test = test; self.diverged = diverged
        self.trainSamples = trainSamples; self.steps = steps; self.seconds = 0; self.cpuSeconds = 0
    }

    enum CodingKeys: String, CodingKey {
        case trial, validation, test, extra, diverged, trainSamples = "train_samples", steps, seconds
        case cpuSeconds = "cpu_seconds", multipliers, nearBound = "near_bound", boundSteps = "bound_steps", curve, fingerprint
    }

    /// Copies a trainer's multiplier summary.
    public mutating func record(_ summary: MultiplierSummary) {
        multipliers = summary.timeAverages.map { LayerMultiplier(layer: $0.layer, multiplier: $0.multiplier) }
        if summary.bounds != nil {
            nearBound = summary.layers.reduce(0) { $0 + $1.nearBound }
            boundSteps = summary.layers.reduce(0) { $0 + $1.steps }
        }
    }
}

/// A task the protocol can run: MLP classification, FNO regression, text classification…
/// `run` trains one trial into `folder` and is called from several threads at once.
public protocol ProtocolTask: Sendable {
    /// Which way the metric is better.
    var direction: Direction { get }
    func run(_ trial: Trial, folder: String) throws -> TrialResult
    /// Every option that decides the trial's result (e.g. its training configuration as JSON,
    /// without the output folder): a stored result is reused only with the same fingerprint.
    func fingerprint(_ trial: Trial) throws -> String
    /// Whether `run` leaves `test` nil and the runner evaluates the test split only for the runs
    /// the protocol chose, through `test` (for tasks whose test split costs more than training).
    var defersTest: Bool { get }
    /// The test metric of a finished trial in `folder` (called only when `defersTest`).
    func test(_ trial: Trial, folder: String) throws -> Double?
}

extension ProtocolTask {
    public var defersTest: Bool { false }
    public func test(_ trial: Trial, folder: String) throws -> Double? { nil }
}

/// CPU seconds used by the calling thread so far.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
