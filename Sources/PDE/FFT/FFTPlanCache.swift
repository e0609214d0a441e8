internal import CFFTW
import Foundation
import Synchronization

/// How hard FFTW searches for a fast algorithm when planning.
public enum FFTRigor: Sendable, Hashable {
    /// `FFTW_ESTIMATE`: a heuristic plan, made instantly and the same on every run, so results are
    /// bit-for-bit reproducible. The default.
    case estimate
    /// `FFTW_MEASURE`: times several algorithms (a fraction of a second per new shape). Faster
    /// execution, but the chosen algorithm — and so the last bits of the results — may differ
    /// between runs.
    case measure

    var flag: UInt32 { self == .estimate ? FFTW_ESTIMATE : FFTW_MEASURE }
}

/// The transforms the cache can plan.
enum FFTKind: Hashable, Sendable {
    /// Real to half-complex spectrum (`fftw_plan_many_dft_r2c`).
    case realToComplex
    /// Half-complex spectrum to real (`fftw_plan_many_dft_c2r`); destroys its input.
    case complexToReal
    /// Real-even DFT of type III (`FFTW_REDFT01`, the unnormalised inverse of DCT-II) on every axis.
    case cosineIII

    var name: String {
        switch self {
        case .realToComplex: return "real-to-complex"
        case .complexToReal: return "complex-to-real"
        case .cosineIII: return "DCT-III (REDFT01)"
        }
    }
}

/// A plan from FFTW, executed only with the new-array functions (which are thread-safe).
final class FFTWPlan: @unchecked Sendable {  // immutable; FFTW's new-array execute functions are thread-safe
    let pointer: OpaquePointer
    let precision: FFTPrecision
    let kind: FFTKind

    init(pointer: OpaquePointer, precision: FFTPrecision, kind: FFTKind) {
        self.pointer = pointer
        self.precision = precision
        self.kind = kind
    }

    /// Runs the plan on new arrays. `input`/`output` must hold what the plan was made for and
    /// have the SIMD alignment it assumes (see `FFTPlanCache.plan`). Thread-safe.
    func execute(_ input: UnsafeMutableRawPointer, _ output: UnsafeMutableRawPointer) {
        switch (precision, kind) {
        case (.double, .realToComplex):
            fftw_execute_dft_r2c(pointer, input.assumingMemoryBound(to: Double.self),
                                 output.assumingMemoryBound(to: fftw_complex.self))
        case (.double, .complexToReal):
            fftw_execute_dft_c2r(pointer, input.assumingMemoryBound(to: fftw_complex.self),
                                 output.assumingMemoryBound(to: Double.self))
        case (.double, .cosineIII):
            fftw_execute_r2r(pointer, input.assumingMemoryBound(to: Double.self), output.assumingMemoryBound(to: Double.self))
        case (.single, .realToComplex):
            fftwf_execute_dft_r2c(pointer, input.assumingMemoryBound(to: Float.self),
                                  output.assumingMemoryBound(to: fftwf_complex.self))
        case (.single, .complexToReal):
            fftwf_execute_dft_c2r(pointer, input.assumingMemoryBound(to: fftwf_complex.self),
                                  output.assumingMemoryBound(to: Float.self))
        case (.single, .cosineIII):
            fftwf_execute_r2r(pointer, input.assumingMemoryBound(to: Float.self), output.assumingMemoryBound(to: Float.self))
        }
    }
}

/// Plans FFTW transforms once per (precision, kind, shape, batch, alignment, rigor) and keeps
/// them for the life of the process.
///
/// FFTW's planner (and `fftw_destroy_plan`) is not thread-safe, so every planning call runs
/// under one lock shared by both precisions; executing a plan with the new-array functions
/// (`fftw_execute_dft_r2c` etc.) is thread-safe and needs no lock. A plan made for SIMD-aligned
/// arrays (`fftw_alignment_of == 0`, as `fftw_malloc` returns) must not run on unaligned ones;
/// `plan(…, aligned: false)` makes an `FFTW_UNALIGNED` plan for those, and `RealFFT` picks the
/// right one per call. Batched transforms are contiguous: transform `b` starts at `b · dist`.
public final class FFTPlanCache: Sendable {
    /// The process-wide cache.
    public static let shared = FFTPlanCache()

    struct Key: Hashable {
        let precision: FFTPrecision
        let kind: FFTKind
        let shape: [Int]
        let batch: Int
        let aligned: Bool
        let rigor: FFTRigor
    }

    private let plans = Mutex<[Key: FFTWPlan]>([:])

    /// Number of plans whose key satisfies `matching` (lets a test count its own shape's plans
    /// while other tests plan concurrently).
    func planCount(matching: (Key) -> Bool) -> Int {
        plans.withLock { $0.keys.filter(matching).count }
    }

    /// The plan for `key`, made on first use.
    /// - Throws: `FFTError.planningFailed` when FFTW returns no plan.
    func plan(_ key: Key) throws -> FFTWPlan {
        try plans.withLock { plans in
            if let p = plans[key] { return p }
            guard let pointer = Self.makePlanLocked(key) else {
                throw FFTError.planningFailed(kind: key.kind.name, precision: key.precision, shape: key.shape, batch: key.batch)
            }
            let p = FFTWPlan(pointer: pointer, precision: key.precision, kind: key.kind)
            plans[key] = p
            return p
        }
    }

    /// Calls the FFTW planner (with the lock held) on scratch arrays from `fftw_malloc`, which
    /// are SIMD-aligned; an unaligned plan gets `FFTW_UNALIGNED`. Returns nil when FFTW fails.
    private static func makePlanLocked(_ key: Key) -> OpaquePointer? {
        let n = key.shape.map { Int32($0) }
        let real = key.shape.reduce(1, *)
        let half = key.shape.dropLast().reduce(1, *) * (key.shape.last! / 2 + 1)
        var flags = key.rigor.flag
        if !key.aligned { flags |= FFTW_UNALIGNED }
        if key.kind == .complexToReal { flags |= FFTW_DESTROY_INPUT }
        let rank = Int32(n.count), howmany = Int32(key.batch)
        switch key.precision {
        case .double:
            let inCount = key.kind == .complexToReal ? 2 * half * key.batch : real * key.batch
            let outCount = key.kind == .realToComplex ? 2 * half * key.batch : real * key.batch
            guard let input = fftw_alloc_real(inCount), let output = fftw_alloc_real(outCount) else { return nil }
            defer { fftw_free(input); fftw_free(output) }
            switch key.kind {
            case .realToComplex:
                return output.withMemoryRebound(to: fftw_complex.self, capacity: half * key.batch) { out in
                    fftw_plan_many_dft_r2c(rank, n, howmany, input, nil, 1, Int32(real), out, nil, 1, Int32(half), flags)
                }
            case .complexToReal:
                return input.withMemoryRebound(to: fftw_complex.self, capacity: half * key.batch) { inp in
                    fftw_plan_many_dft_c2r(rank, n, howmany, inp, nil, 1, Int32(half), output, nil, 1, Int32(real), flags)
                }
            case .cosineIII:
                let kinds = [fftw_r2r_kind](repeating: FFTW_REDFT01, count: n.count)
                return fftw_plan_many_r2r(rank, n, howmany, input, nil, 1, Int32(real), output, nil, 1, Int32(real), kinds, flags)
            }
        case .single:
            let inCount = key.kind == .complexToReal ? 2 * half * key.batch : real * key.batch
            let outCount = key.kind == .realToComplex ? 2 * half * key.batch : real * key.batch
            guard let input = fftwf_alloc_real(inCount), let output = fftwf_alloc_real(outCount) else { return nil }
            defer { fftwf_free(input); fftwf_free(output) }
            switch key.kind {
            case .realToComplex:
                return output.withMemoryRebound(to: fftwf_complex.self, capacity: half * key.batch) { out in
                    fftwf_plan_many_dft_r2c(rank, n, howmany, input, nil, 1, Int32(real), out, nil, 1, Int32(half), flags)
                }
            case .complexToReal:
                return input.withMemoryRebound(to: fftwf_complex.self, capacity: half * key.batch) { inp in
                    fftwf_plan_many_dft_c2r(rank, n, howmany, inp, nil, 1, Int32(half), output, nil, 1, Int32(real), flags)
                }
            case .cosineIII:
                let kinds = [fftwf_r2r_kind](repeating: FFTW_REDFT01, count: n.count)
                return fftwf_plan_many_r2r(rank, n, howmany, input, nil, 1, Int32(real), output, nil, 1, Int32(real), kinds, flags)
            }
        }
    }

    /// True if FFTW considers `pointer` SIMD-aligned (`fftw_alignment_of(p) == 0`), so a plan
    /// made on `fftw_malloc` arrays may run on it.
    static func isAligned(_ pointer: UnsafeRawPointer, precision: FFTPrecision) -> Bool {
        let p = UnsafeMutableRawPointer(mutating: pointer)
        switch precision {
        case .double: return fftw_alignment_of(p.assumingMemoryBound(to: Double.self)) == 0
        case .single: return fftwf_alignment_of(p.assumingMemoryBound(to: Float.self)) == 0
        }
    }

    /// Validates a transform shape: rank ≥ 1, every dimension and the batch ≥ 1, and all sizes
    /// (including batch × size) within FFTW's 32-bit `int`.
    static func validate(shape: [Int], batch: Int) throws {
        guard !shape.isEmpty else { throw FFTError.invalidShape(shape: shape, batch: batch, reason: "at least one dimension is needed") }
        guard shape.allSatisfy({ $0 >= 1 }), batch >= 1 else {
            throw FFTError.invalidShape(shape: shape, batch: batch, reason: "dimensions and batch must be ≥ 1")
        }
        var total = 2 * batch
        for d in shape {
            let (t, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, t <= Int(Int32.max) else {
                throw FFTError.invalidShape(shape: shape, batch: batch, reason: "too large for FFTW's 32-bit sizes")
            }
            total = t
        }
    }
}
