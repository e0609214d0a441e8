/// Why a solver or data generator could not run.
public enum PDEError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A parameter outside its valid range (the name, the value, what is allowed).
    case invalidParameter(name: String, value: String, reason: String)
    /// The solution became non-finite (or exceeded the stability bound) at time `time`.
    case diverged(solver: String, time: Double)
    /// The linear solver did not reach the tolerance within its iteration budget.
    case notConverged(solver: String, iterations: Int, residual: Double)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, reason):
            return "invalid \(name) \(value): \(reason)"
        case let .diverged(solver, time):
            return "\(solver): the solution became non-finite at t = \(time)"
        case let .notConverged(solver, iterations, residual):
            return "\(solver): no convergence after \(iterations) iterations (relative residual \(residual))"
        }
    }

    /// Throws `.invalidParameter` unless `condition` holds.
    static func require(_ condition: Bool, _ name: String, _ value: Any, _ reason: String) throws {
        if !condition { throw PDEError.invalidParameter(name: name, value: "\(value)", reason: reason) }
    }
}
