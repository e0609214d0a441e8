import Analyzer
import Dispatch
import Foundation
import LinearAlgebra
import Parallel
import PowerLaw
import Spectrum

/// The in-loop analysis: the spectra of a model's current weights, computed in process with the
/// analyzer's code (no files, no subprocess), as per-layer fits for `TempBalance.decide`.
///
/// Only layers the policy could balance are analysed (the others' metrics are never used). For the
/// default metric (`PL_Alpha_Hill`) it runs `ESD` + `PLAlphaHill` directly (the analyzer's function); any other analyzer column
/// goes through `Analyzer.analyze` on an `InMemorySource`. BLAS runs single-threaded meanwhile
/// (layers in parallel on `threads` workers); the caller's BLAS thread count is restored after.
public struct SpectrumProbe: Sendable {
    public var policy: PolicyOptions
    /// Hill's xmin position (2 = top half; the NLP reference uses 1.5 for RoBERTa).
    public var xminPos: Double = 2
    /// Drop eigenvalues ≤ `ZeroFilter.referenceThreshold` before the fit (all kept if none is larger).
    public var filterZeros = false
    public var threads = 1

    public init(policy: PolicyOptions) { self.policy = policy }

    /// The weights the probe will measure: the balanced candidates' `<name>.weight` tensors, copied
    /// to Double, with every layer's eigenvalue count. Taking it is the only part of a probe that
    /// must run on the training thread; `fits(_:)` can then run anywhere.
    public struct Snapshot: Sendable {
        var fits: [LayerFit]
        var tensors: [(name: String, shape: [Int], values: [Double])]
    }

    /// Copies the weights of `layers` (linear layer names in depth order, weights `<name>.weight`
    /// [out, in]) that the policy could balance.
    public func snapshot(_ parameters: ParameterSet<Float>, layers: [String]) -> Snapshot {
        let fits = layers.map { name -> LayerFit in
            let shape = parameters.entry(name + ".weight").shape
            return LayerFit(name: name, eigenvalueCount: min(shape[0], shape[1]), metric: nil)
        }
        let wanted = TempBalance.candidates(fits, options: policy)
        let tensors: [(name: String, shape: [Int], values: [Double])] = wanted.map { name in
            let e = parameters.entry(name + ".weight")
            return (e.name, e.shape, parameters.values.array(e).map(Double.init))
        }
        return Snapshot(fits: fits, tensors: tensors)
    }

    /// The per-layer fits of a snapshot.
    public func fits(_ snapshot: Snapshot) throws -> [LayerFit] {
        var fits = snapshot.fits
        let metrics = try measure(snapshot.tensors)
        for i in fits.indices {
            if let m = metrics[fits[i].name + ".weight"] { fits[i].metric = m }
        }
        return fits
    }

    /// The fits of `layers` (linear layer names in depth order, weights `<name>.weight` [out, in]).
    public func fits(_ parameters: ParameterSet<Float>, layers: [String]) throws -> [LayerFit] {
        try fits(snapshot(parameters, layers: layers))
    }

    var usesHill: Bool { policy.metric == "PL_Alpha_Hill" || policy.metric == "hill_alpha" }

    /// The analysis options of a probe that is not Hill's shortcut.
    var analysisOptions: AnalysisOptions {
        var o = AnalysisOptions()
        o.xminPos = xminPos
        o.filterZeros = filterZeros
        o.minEvals = 2
        o.threads = threads
        return o
    }

    /// Checks that the policy's metric is a numeric column of the probe's analysis.
    /// - Throws: `TrainError.invalidOption` listing the valid columns.
    public func validateMetric() throws {
        do { try PolicyMetric.check(policy.metric, options: analysisOptions) } catch let e as PolicyError {
            throw TrainError.invalidOption(e.description)
        }
    }

    /// Tensor name → metric (missing when the fit failed).
    func measure(_ tensors: [(name: String, shape: [Int], values: [Double])]) throws -> [String: Double] {
        guard !tensors.isEmpty else { return [:] }
        let saved = BLASThreads.current
        defer { BLASThreads.set(saved) }
        if !usesHill {
            let report = try Analyzer.analyze(InMemorySource(label: "training", tensors: tensors), options: analysisOptions)
            var out: [String: Double] = [:]
            for layer in report.layers where layer.status == .ok {
                if let v = layer.value(ofColumn: policy.metric) { out[layer.name] = v }
            }
            return out
        }
        BLASThreads.set(1)
        let slots = ResultSlots<Double>(count: tensors.count)
        let xminPos = xminPos, filterZeros = filterZeros
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, tensors.count))) { worker in
            var k = worker
            while k < tensors.count {
                let t = tensors[k]
                let m = WeightMatrices(kind: .linear, shape: t.shape, layout: .pytorch)
                // Non-finite weights (a diverging run) or a LAPACK failure: no metric, as a
                // failed fit; the layer keeps the global rate and the loss check stops the run.
                if t.values.withUnsafeBufferPointer(ESD.countNonFinite) == 0,
                   let esd = try? t.values.withUnsafeBufferPointer({ try ESD(m, data: $0) }) {
                    if let alpha = PLAlphaHill(eigenvalues: esd.eigenvalues, xminPos: xminPos, filterZeros: filterZeros).alpha { slots.store(alpha, at: k) }
                }
                k += max(1, min(threads, tensors.count))
            }
        }
        var out: [String: Double] = [:]
        let values = slots.values
        for (k, t) in tensors.enumerated() { if let v = values[k] { out[t.name] = v } }
        return out
    }
}
