import Dispatch
import Foundation

/// TempBalance inside a training loop, for any model whose parameters live in one
/// `ParameterSet<Float>`: when to recompute the spectra, when the new multipliers take effect, and
/// the recomputations running on another core (`tempbalance-spec.md` §4, "When").
///
/// At the top of every step the trainer calls `update(step:epochStep:)`:
/// - multipliers that are due (`activateAt ≤ step`) become the active ones;
/// - if a recomputation is due (every `interval` steps, or at the first step of an epoch in epoch
///   mode), the probed layers' weights are copied (before this step's update) and their fits turned
///   into per-parameter multipliers (`TempBalance.decide` + `route`, by name), active from step
///   `step + 1 + lag` (step-interval mode: step 0 trains with the uniform rate) or `step + lag`
///   (epoch mode).
/// With `lag` 0 the result is applied at the reference's step. Without `overlap` the work runs at
/// once on the calling thread; with `lag` > 0 it runs on a background queue, one recomputation at a
/// time in order, while training goes on; the result is applied at its fixed step (waiting if
/// needed), so runs stay deterministic and resumable. Several recomputations may be in flight when
/// `lag ≥ interval`.
///
/// With `overlap` (step-interval mode) a recomputation whose multipliers are due at a later step —
/// every one, lag 0 included — runs on the background queue from the live weights: it copies them
/// there, and the caller calls `weightsWillChange()` before its optimizer changes them, which waits
/// until the copy is taken (it is taken while the step's forward and backward passes run, which
/// only read the weights). The copy and the spectra then cost the training thread nothing when a
/// core is free, and the multipliers are bit for bit those of the in-line computation (the same
/// copy, the same code). Epoch mode at lag 0 needs its multipliers at once and stays in line.
///
/// The two controls of `docs/experiments.md` run through the same object: `frozen` keeps the
/// multipliers of the first recomputation (step 0 in every timing) for the whole run, and
/// `fixUniform(multiplier:parameters:)` gives every balanced layer one constant multiplier with no
/// spectra at all. `summary` records what was applied at each step (`recordStep(eta:)`).
public final class InLoopBalance: @unchecked Sendable {  // mutated only by the training thread; background jobs own their snapshot
    public enum Timing: Sendable, Equatable {
        /// Every `n` steps, rates changed after the step (NLP reference, `auto` = its n).
        case everySteps(Int)
        /// Once per epoch, before its first step, applied at once (FNO / NeurIPS).
        case everyEpoch
    }

    /// The multipliers of one recomputation and the first step that trains with them.
    public struct Pending: Codable, Sendable, Equatable {
        public var step: Int
        /// One per parameter entry, in the parameter set's order.
        public var multipliers: [Double]
        public var decisions: [LayerDecision]
    }

    /// What a resume needs: the multipliers in use, those computed but not yet applied, and the
    /// latest decisions (recomputations still running are waited for first).
    public struct State: Codable, Sendable, Equatable {
        public var active: [Double]
        public var pending: [Pending]
        public var decisions: [LayerDecision]
    }

    public let layers: [String]
    public let policy: PolicyOptions
    public let probe: SpectrumProbe
    public let timing: Timing
    public let lag: Int
    /// Recompute only at step 0 and keep those multipliers (the frozen control).
    public let frozen: Bool
    /// Recomputations due later run in the background from the live weights (see the type's summary).
    public let overlap: Bool
    public private(set) var active: [Double]
    /// The multipliers applied so far (time averages, steps near a bound); not part of `State`:
    /// a resumed run summarises the steps since the resume.
    public private(set) var summary: MultiplierSummary
    public private(set) var decisions: [LayerDecision] = []
    /// Seconds spent on the calling thread: snapshots, in-line recomputations, waits.
    public private(set) var seconds = 0.0
    private var pending: [Pending] = []
    private var inFlight: [Job] = []
    private let parameterNames: [String]
    /// A layer's weight entry: `<layer>.weight` → its index in `parameterNames`.
    private lazy var weightIndex: [String: Int] = Dictionary(
        parameterNames.enumerated().compactMap { $0.element.hasSuffix(".weight") ? (String($0.element.dropLast(7)), $0.offset) : nil },
        uniquingKeysWith: { a, _ in a })
    private let queue = DispatchQueue(label: "htsr.tempbalance", qos: .userInitiated)

    /// - Parameters: layers: the linear layers (weights `<name>.weight` [out, in]) in forward order;
    ///   parameterNames: every parameter entry's name, in the parameter set's order.
    ///   frozen: recompute only at step 0 (the frozen control). overlap: copy the weights on the
    ///   background queue (the caller then calls `weightsWillChange()` before every weight update).
    public init(layers: [String], parameterNames: [String], policy: PolicyOptions, probe: SpectrumProbe, timing: Timing, lag: Int,
                frozen: Bool = false, overlap: Bool = false) {
        self.layers = layers
        self.frozen = frozen
        self.overlap = overlap
        summary = MultiplierSummary(bounds: policy)
        self.parameterNames = parameterNames
        self.policy = policy
        self.probe = probe
        self.timing = timing
        self.lag = lag
        active = Array(repeating: 1, count: parameterNames.count)
    }

    /// The most recomputations that can be in flight at once for an interval and a lag.
    public static func maxInFlight(interval: Int, lag: Int) -> Int { lag / max(1, interval) + 1 }

    /// The layers with their eigenvalue counts (no metric).
    func shapes(_ parameters: ParameterSet<Float>) -> [LayerFit] {
        layers.map { n -> LayerFit in
            let s = parameters.entry(n + ".weight").shape
            return LayerFit(name: n, eigenvalueCount: min(s[0], s[1]), metric: 0)
        }
    }

    /// The layers the policy balances (no spectrum needed: `TempBalance.candidates`).
    public func balancedLayers(_ parameters: ParameterSet<Float>) -> [String] {
        TempBalance.candidates(shapes(parameters), options: policy)
    }

    /// The uniform control: every layer TempBalance would balance gets `multiplier`, routed as
    /// TempBalance routes its own (`TempBalance.uniform`); call it before training and do not call
    /// `update`. The summary then has no bounds (no share near a bound).
    public func fixUniform(multiplier: Double, parameters: ParameterSet<Float>) {
        decisions = TempBalance.uniform(shapes(parameters), multiplier: multiplier, options: policy)
        active = TempBalance.route(parameterNames: parameterNames, decisions: decisions, options: policy).map(\.multiplier)
        summary = MultiplierSummary(bounds: nil)
    }

    /// Adds the step about to be taken at global rate `eta` to `summary`: each balanced layer's
    /// multiplier (its weight's entry).
    public func recordStep(eta: Double) {
        summary.record(eta: eta, multipliers: decisions.filter { $0.excluded == nil }.compactMap { d in
            weightIndex[d.name].map { (d.name, active[$0]) }
        })
    }

    /// Applies what is due and starts a recomputation when one is due (see the type's summary).
    public func update(step: Int, epochStep: Int, parameters: ParameterSet<Float>) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        while let job = inFlight.first, job.activateAt <= step {
            pending.append(try job.wait())
            inFlight.removeFirst()
        }
        while let p = pending.first, p.step <= step {
            active = p.multipliers
            decisions = p.decisions
            pending.removeFirst()
        }
        let due: Bool, activateAt: Int
        switch timing {
        case let .everySteps(n): due = step % n == 0; activateAt = step + 1 + lag
        case .everyEpoch: due = epochStep == 0; activateAt = step + lag
        }
        guard due, !(frozen && step > 0) else { return }
        guard activateAt > step && (lag > 0 || overlap) else {
            let p = try compute(probe.snapshot(parameters, layers: layers), activateAt: activateAt)
            if activateAt <= step { active = p.multipliers; decisions = p.decisions } else { pending.append(p) }
            return
        }
        // In the background; the weights are copied there with `overlap`, here without.
        let job = Job(activateAt: activateAt, copying: overlap)
        let taken = overlap ? nil : probe.snapshot(parameters, layers: layers)
        let layers = layers
        queue.async { [self] in
            let snapshot = taken ?? probe.snapshot(parameters, layers: layers)
            job.copied()
            job.finish(Result { try self.compute(snapshot, activateAt: activateAt) })
        }
        inFlight.append(job)
    }

    /// Call before changing the weights (the optimizer's step) when `overlap` is on: waits until
    /// the recomputations in flight have copied the weights they measure. Free otherwise.
    public func weightsWillChange() {
        guard overlap else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        for job in inFlight { job.waitForCopy() }
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The multipliers from the spectra of a snapshot.
    func compute(_ snapshot: SpectrumProbe.Snapshot, activateAt: Int) throws -> Pending {
        let fits = try probe.fits(snapshot)
        let decisions = TempBalance.decide(fits, options: policy)
        let routed = TempBalance.route(parameterNames: parameterNames, decisions: decisions, options: policy)
        return Pending(step: activateAt, multipliers: routed.map(\.multiplier), decisions: decisions)
    }

    /// Waits for the recomputations in flight (their results become pending); call when training
    /// ends, so that none still reads the weights afterwards.
    public func settle() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        for job in inFlight { pending.append(try job.wait()) }
        inFlight.removeAll()
    }

    /// The state to save (waits for the recomputations in flight).
    public func state() throws -> State {
        try settle()
        return State(active: active, pending: pending, decisions: decisions)
    }

    /// Restores a saved state.
    public func restore(_ s: State) throws {
        guard s.active.count == active.count, s.pending.allSatisfy({ $0.multipliers.count == active.count }) else {
            throw TrainError.badResumeState("the saved learning-rate multipliers do not fit the model's \(active.count) parameter tensors")
        }
        active = s.active
        pending = s.pending
        decisions = s.decisions
        inFlight.removeAll()
    }

    /// One background recomputation.
    final class Job: @unchecked Sendable {  // `result` written once before `done` is signalled, read after waiting
        let activateAt: Int
        private let done = DispatchSemaphore(value: 0)
        /// Signalled once the job has copied the live weights (jobs that copy them; nil otherwise).
        private let copy: DispatchSemaphore?
        private var copyTaken = false  // the training thread's own flag
        private var result: Result<Pending, Error>?
        private var taken: Pending?

        init(activateAt: Int, copying: Bool = false) {
            self.activateAt = activateAt
            copy = copying ? DispatchSemaphore(value: 0) : nil
            copyTaken = !copying
        }

        /// The background side: the weights are copied.
        func copied() { copy?.signal() }

        /// The training side: returns once the weights are copied.
        func waitForCopy() {
            guard !copyTaken, let copy else { return }
            copy.wait()
            copyTaken = true
        }

        func finish(_ r: Result<Pending, Error>) { result = r; done.signal() }

        func wait() throws -> Pending {
            if let taken { return taken }
            done.wait()
            let p = try result!.get()
            taken = p
            return p
        }
    }
}
