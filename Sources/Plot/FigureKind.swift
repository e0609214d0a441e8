/// Every figure htsr draws, by its file-name stem.
public enum FigureKind: String, Sendable, CaseIterable, Codable {
    // Per layer.
    case esdLogLog = "esd-loglog"
    case esdLinear = "esd-linear"
    case logHistogram = "esd-log10-histogram"
    case ksDistance = "ks-distance"
    case ksAlpha = "ks-alpha"
    // Per model.
    case alphaDepth = "alpha-depth"
    case alphaHistogram = "alpha-histogram"
    case lambdaMaxDepth = "lambda-max-depth"
    // Two analyses.
    case compareScatter = "compare-scatter"
    case compareDelta = "compare-delta"
    // A training log.
    case trainLoss = "train-loss"
    case trainMetrics = "train-metrics"
    case trainAlpha = "train-alpha"
    case trainLearningRate = "train-lr"

    public enum Group: String, Sendable, CaseIterable {
        case layer, model, compare, training
    }

    public var group: Group {
        switch self {
        case .esdLogLog, .esdLinear, .logHistogram, .ksDistance, .ksAlpha: return .layer
        case .alphaDepth, .alphaHistogram, .lambdaMaxDepth: return .model
        case .compareScatter, .compareDelta: return .compare
        case .trainLoss, .trainMetrics, .trainAlpha, .trainLearningRate: return .training
        }
    }

    /// A one-line description (for help and the report).
    public var summary: String {
        switch self {
        case .esdLogLog: return "ESD on log-log axes with the KS and Hill power-law fits"
        case .esdLinear: return "ESD on linear axes (+ Marchenko–Pastur bulk when fitted)"
        case .logHistogram: return "histogram of log10 λ with xmin and xmax lines"
        case .ksDistance: return "KS distance D versus candidate xmin"
        case .ksAlpha: return "α versus candidate xmin"
        case .alphaDepth: return "α by depth, coloured by role, with α = 2 and 6 bands"
        case .alphaHistogram: return "histogram of α over layers"
        case .lambdaMaxDepth: return "λmax and stable rank by depth"
        case .compareScatter: return "α of analysis A versus B, with the diagonal"
        case .compareDelta: return "per-layer Δα = α_B − α_A by depth"
        case .trainLoss: return "train and test loss over steps (runs overlaid, seeds as bands)"
        case .trainMetrics: return "other logged metrics over steps (runs overlaid)"
        case .trainAlpha: return "per-layer α over steps (heatmap)"
        case .trainLearningRate: return "global learning rate and per-layer multipliers over steps"
        }
    }

    /// Parses a comma-separated list of kinds and group names (`layer`, `model`, `compare`,
    /// `training`, `all`); nil names the first unknown word.
    public static func parseList(_ text: String) -> Result<[FigureKind], UnknownFigure> {
        var out: [FigureKind] = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            if word == "all" { out += allCases } else if let g = Group(rawValue: word) {
                out += allCases.filter { $0.group == g }
            } else if let k = FigureKind(rawValue: word) {
                out.append(k)
            } else {
                return .failure(UnknownFigure(word: word))
            }
        }
        var seen = Set<FigureKind>()
        return .success(out.filter { seen.insert($0).inserted })
    }

    public struct UnknownFigure: Error, CustomStringConvertible {
        public var word: String
        public var description: String {
            "unknown figure '\(word)'; known: \(FigureKind.allCases.map(\.rawValue).joined(separator: ", ")) or the groups layer, model, compare, training, all"
        }
    }
}

import Foundation
