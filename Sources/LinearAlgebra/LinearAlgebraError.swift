/// An error from a BLAS/LAPACK call, with LAPACK's `info` kept.
///
/// LAPACK reports `info < 0` when argument `-info` was illegal and `info > 0` when the
/// algorithm failed to converge (for `dsyevd`: `info` off-diagonal elements did not converge).
public struct LinearAlgebraError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The LAPACK routine that failed, e.g. `"dsyevd"`.
    public let routine: String
    /// LAPACK's `info` return value (never 0 here).
    public let info: Int32

    public init(routine: String, info: Int32) {
        self.routine = routine
        self.info = info
    }

    public var description: String {
        if info < 0 {
            return "LAPACK \(routine): argument \(-info) had an illegal value (info = \(info))"
        }
        return "LAPACK \(routine) failed to converge (info = \(info))"
    }
}
