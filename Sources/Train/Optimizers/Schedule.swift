import Foundation

/// A learning-rate schedule: the global rate η at optimizer step `t` (0-based).
public typealias Schedule = @Sendable (Int) -> Float

/// The schedules `htsr train --schedule` offers, as data (for logs and resume), each turned
/// into a `Schedule` for a base rate and the run's total number of steps.
public enum ScheduleKind: String, Sendable, Codable, CaseIterable {
    /// η(t) = base.
    case constant
    /// η(t) = min + (base − min)·(1 + cos(π·t/T))/2, T = total steps; min = base·minRatio.
    case cosine
    /// η(t) = base · γ^⌊t / stepSize⌋ (PyTorch StepLR).
    case step
    /// Linear warmup then linear decay (Hugging Face `get_linear_schedule_with_warmup`):
    /// η(t) = base·t/W for t < W, else base·max(0, (T − t)/(T − W)).
    case linear

    /// - Parameters: stepSize and gamma for `.step`; warmup W for `.linear`; minRatio for `.cosine`.
    public func schedule(base: Float, totalSteps: Int, stepSize: Int = 1, gamma: Float = 0.1,
                         warmup: Int = 0, minRatio: Float = 0) -> Schedule {
        switch self {
        case .constant: return { _ in base }
        case .cosine:
            let T = Double(max(1, totalSteps)), lo = Double(base * minRatio), hi = Double(base)
            return { t in Float(lo + (hi - lo) * (1 + cos(Double.pi * Double(min(t, Int(T))) / T)) / 2) }
        case .step:
            let size = max(1, stepSize)
            return { t in base * Float(pow(Double(gamma), Double(t / size))) }
        case .linear:
            let W = max(0, warmup), T = max(W + 1, totalSteps)
            return { t in
                if t < W { return base * Float(t) / Float(W) }
                return base * Float(max(0, Double(T - t) / Double(T - W)))
            }
        }
    }
}
