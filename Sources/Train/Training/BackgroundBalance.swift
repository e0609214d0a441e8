import Dispatch
import Foundation

/// Multipliers from one recomputation of the spectra, and the step from which they apply.
struct PendingMultipliers: Codable, Sendable {
    /// The first step that trains with these multipliers.
    var step: Int
    /// One per parameter entry, in the parameter set's order (exact Doubles).
    var multipliers: [Double]
    var decisions: [LayerDecision]
}

/// A TempBalance recomputation running on a background thread while training goes on.
///
/// The weights were copied when it started, so its result does not depend on when it finishes;
/// the trainer applies it at the fixed step `activateAt` (waiting if it is not done), which keeps
/// runs deterministic.
final class BackgroundBalance: @unchecked Sendable {
    let activateAt: Int
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<PendingMultipliers, Error>?

    init(activateAt: Int, _ work: @escaping @Sendable () throws -> PendingMultipliers) {
        self.activateAt = activateAt
        DispatchQueue.global(qos: .userInitiated).async {
            let r = Result { try work() }
            self.result = r
            self.done.signal()
        }
    }

    /// Waits for the result (once).
    func wait() throws -> PendingMultipliers {
        done.wait()
        return try result!.get()
    }
}
