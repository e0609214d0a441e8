import Checkpoint
import Dispatch
import Foundation
import LinearAlgebra
import PowerLaw
import Spectrum

/// Runs the analysis: tensors → matrices → eigenvalues → fits and metrics, one row per layer.
public enum Analyzer {
    /// Progress: (layers finished, layers in total, name of the layer just finished).
    public typealias Progress = @Sendable (Int, Int, String) -> Void

    /// A tensor selected for analysis, before its spectrum is computed.
    struct Job {
        /// The id of its first output row (rows are numbered in forward order, see `plan`).
        let firstRowID: Int
        let descriptor: TensorDescriptor
        let kind: LayerKind
        let matrices: WeightMatrices
        /// `--no-pool` on a multi-slice layer: one row per slice.
        let perSlice: Bool
        var rowCount: Int { perSlice ? matrices.sliceCount : 1 }
    }

    /// The layers `analyze` would analyse, in forward order, with their matrix views
    /// (for benchmarks and tools that must run over exactly the same matrices).
    public static func selectedLayers(_ source: TensorSource, options: AnalysisOptions) throws -> [(descriptor: TensorDescriptor, matrices: WeightMatrices)] {
        try plan(source, options: options, order: try source.forwardOrder()).jobs.map { ($0.descriptor, $0.matrices) }
    }

    /// Splits the source's tensors, in forward order, into analysed layers and skipped tensors
    /// with their reasons.
    ///
    /// Row ids number every tensor that is a layer (a matrix, embedding or convolution kernel)
    /// in forward order, whether or not it is analysed, so a layer keeps its id under
    /// `--layers`, `--min-evals`, `--no-embeddings` or `--base` (with `--no-pool` a layer's
    /// slices take consecutive ids).
    static func plan(_ source: TensorSource, options: AnalysisOptions, order: LayerOrder) throws -> (jobs: [Job], skipped: [SkippedTensor], tensorOrder: [String]) {
        let pattern = try options.layers.map { try NamePattern($0) }
        var jobs: [Job] = []
        var skipped: [SkippedTensor] = []
        var rows = 0
        let all = source.descriptors
        let ordered = order.sortedIndices(all.map(\.name)).map { all[$0] }
        for d in ordered {
            func skip(_ reason: SkipReason) { skipped.append(SkippedTensor(descriptor: d, reason: reason)) }
            let kind: LayerKind
            switch LayerClassifier.classify(name: d.name, shape: d.shape, isFloatingPoint: d.isFloatingPoint) {
            case let .failure(reason): skip(reason); continue
            case let .success(k): kind = k
            }
            let m = WeightMatrices(kind: kind, shape: d.shape, layout: d.layout)
            let perSlice = !options.pool && m.sliceCount > 1
            let firstRowID = rows
            rows += perSlice ? m.sliceCount : 1
            if let reason = source.skipReason(for: d) { skip(reason); continue }
            if kind == .embedding && !options.includeEmbeddings { skip(.embeddingExcluded); continue }
            if let pattern, !pattern.matches(d.name) { skip(.filteredOut); continue }
            if m.N > options.maxN { skip(.tooLarge(n: m.N, max: options.maxN)); continue }
            var count = perSlice ? m.M : m.eigenvalueCount
            if let limit = d.componentLimit { count = min(count, limit) }
            if count < options.minEvals || count > options.maxEvals {
                skip(.eigenvalueCount(count: count, min: options.minEvals, max: options.maxEvals))
                continue
            }
            jobs.append(Job(firstRowID: firstRowID, descriptor: d, kind: kind, matrices: m, perSlice: perSlice))
        }
        return (jobs, skipped, ordered.map(\.name))
    }

    /// Analyses every selected layer of `source`.
    ///
    /// Layers run in parallel on `options.threads` workers, largest first, each holding one
    /// tensor (in Double) at a time; BLAS runs one thread each and the caller's thread count is restored
    /// on return. Results are in forward order.
    /// A layer with NaN/Inf weights or a LAPACK failure gets that status; the others go on.
    /// Every layer's peak memory (`memoryNeed`) must fit `MemoryBudget.current`, checked for
    /// all layers before any is analysed; layers analysed at once share the budget.
    ///
    /// - Parameters:
    ///   - order: the layer order (`--order FILE`); nil: the source's `forwardOrder()`.
    ///   - keepEigenvalues: called with each row's ESD (e.g. to save it or plot it).
    ///   - timings: collects the seconds spent per stage (`--timings`).
    /// - Throws: `InvalidSetting` for options outside their ranges, `LayerOrderError`,
    ///   `MemoryBudgetError` naming the first layer that does not fit, or the source's read error.
    public static func analyze(_ source: TensorSource, options: AnalysisOptions, order: LayerOrder? = nil,
                               progress: Progress? = nil,
                               keepEigenvalues: (@Sendable (LayerReport, ESD) throws -> Void)? = nil,
                               timings: StageTimings? = nil) throws -> AnalysisReport {
        try options.validate()
        let layerOrder = try order ?? source.forwardOrder()
        let (jobs, skipped, tensorOrder) = try plan(source, options: options, order: layerOrder)
        let callersThreads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(callersThreads) }
        let order = jobs.indices.sorted { jobs[$0].descriptor.shape.reduce(1, *) > jobs[$1].descriptor.shape.reduce(1, *) }
        let results = ResultSlots<[LayerReport]>(count: jobs.count)
        let workers = max(1, min(options.threads, jobs.count))
        // Each layer reserves its peak memory from the budget before it allocates anything.
        let ledger = MemoryLedger(budget: MemoryBudget.current)
        for job in jobs { try ledger.budget.check(memoryNeed(job, options: options), for: memoryLabel(job)) }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let k = results.claim(), !results.hasError {
                let job = jobs[order[k]]
                do {
                    let rows = try ledger.withReservation(memoryNeed(job, options: options), for: memoryLabel(job)) {
                        try analyzeJob(job, from: source, options: options, timings: timings)
                    }
                    if let keepEigenvalues {
                        for (report, esd) in rows { if let esd { try keepEigenvalues(report, esd) } }
                    }
                    let done = results.store(rows.map(\.0), at: order[k])
                    progress?(done, jobs.count, job.descriptor.name)
                } catch {
                    results.fail(error)
                }
            }
        }
        if let error = results.firstError { throw error }
        var report = AnalysisReport(source: SourceInfo(source), options: options,
                                    layers: results.values().flatMap { $0 }, skipped: skipped)
        report.order = OrderInfo(layerOrder, tensors: tensorOrder)
        report.comparison = source.comparison
        return report
    }

    /// Elements per streamed block: 16 MiB of Doubles, so layers up to 2M weights are one
    /// `dsyrk` and larger ones (embeddings) a few, while memory stays bounded.
    static let streamBlockElements = 1 << 21

    /// Analyses one tensor, reading it from `source`: with the default options, tall
    /// single-slice layers are streamed in row blocks (their Gram accumulated block by block, so
    /// the weights are never held whole); the others, and every layer when an option needs the
    /// weights themselves (randomisation, FARMS, per-slice rows), are read whole.
    static func analyzeJob(_ job: Job, from source: TensorSource, options: AnalysisOptions,
                           timings: StageTimings?) throws -> [(LayerReport, ESD?)] {
        let m = job.matrices
        guard !job.perSlice, !options.needsWholeMatrix, ESD.canStream(m) else {
            let data = try timings.measure(.read) { try source.readDoubles(job.descriptor) }
            let comparison = source.comparison != nil
            return try data.withUnsafeBufferPointer { p in
                guard job.perSlice else {
                    return [try analyzeMatrix(job, row: 0, matrices: m, data: p, options: options, comparison: comparison,
                                              timings: timings)]
                }
                return try (0..<m.sliceCount).map { s in
                    let slice = m.slice(s, of: p)
                    return try slice.withUnsafeBufferPointer {
                        try analyzeMatrix(job, row: s, matrices: m.singleSlice, data: $0, options: options,
                                          comparison: comparison, timings: timings)
                    }
                }
            }
        }
        var report = emptyReport(job, row: 0, matrices: m, options: options)
        let cols = m.cols
        let perBlock = max(1, streamBlockElements / cols) * cols
        let streamed: ESD.Streamed
        // Reading is the time spent in the source's block loop outside the Gram updates; the
        // rest (Gram updates and the eigensolver) is the spectrum.
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let start = now()
        var readSeconds = 0.0
        do {
            streamed = try ESD.streaming(m, convNorm: options.convNorm) { body in
                let loopStart = now()
                var gram = 0.0
                try source.forEachBlock(job.descriptor, elementsPerBlock: perBlock) { block in
                    let t0 = now()
                    defer { gram += now() - t0 }
                    try body(block)
                }
                readSeconds = now() - loopStart - gram
            }
        } catch let error as LinearAlgebraError {
            report.status = .failed("\(error)")
            return [(report, nil)]
        }
        if let timings {
            timings.add(.read, max(0, readSeconds))
            timings.add(.spectra, max(0, now() - start - readSeconds))
        }
        switch streamed {
        case let .nonFinite(count):
            report.status = .nonFinite(count: count)
            return [(report, nil)]
        case let .esd(esd):
            let kept = limited(esd, to: job.descriptor.componentLimit)
            if markUnchanged(&report, esd: kept, comparison: source.comparison != nil) { return [(report, kept)] }
            fill(&report, esd: kept, options: options, timings: timings)
            return [(report, kept)]
        }
    }

    /// Analyses one matrix view (the whole layer, or one slice) from its weights.
    static func analyzeMatrix(_ job: Job, row: Int, matrices: WeightMatrices, data: UnsafeBufferPointer<Double>,
                              options: AnalysisOptions, comparison: Bool, timings: StageTimings?) throws -> (LayerReport, ESD?) {
        var report = emptyReport(job, row: row, matrices: matrices, options: options)
        let nonFinite = ESD.countNonFinite(data)
        if nonFinite > 0 {
            report.status = .nonFinite(count: nonFinite)
            return (report, nil)
        }
        let esd: ESD
        do {
            esd = limited(try timings.measure(.spectra) { try ESD(matrices, data: data, convNorm: options.convNorm) },
                          to: job.descriptor.componentLimit)
        } catch let error as LinearAlgebraError {
            report.status = .failed("\(error)")
            return (report, nil)
        }
        if markUnchanged(&report, esd: esd, comparison: comparison) { return (report, esd) }
        fill(&report, esd: esd, options: options, timings: timings)
        do {
            try fillFromWeights(&report, esd: esd, matrices: matrices, data: data, limit: job.descriptor.componentLimit,
                                options: options, timings: timings)
        } catch let error as LinearAlgebraError {
            report.status = .failed("\(error)")
        }
        return (report, esd)
    }

    /// With `--base` or a LoRA adapter, a zero difference (every eigenvalue 0, i.e. W − W_base
    /// = 0) is `unchanged`: its norms are reported, nothing is fitted. Returns whether it was.
    static func markUnchanged(_ report: inout LayerReport, esd: ESD, comparison: Bool) -> Bool {
        guard comparison, esd.lambdaMax == 0 else { return false }
        report.status = .unchanged
        report.metrics = SpectralMetrics(esd)
        return true
    }

    /// The largest `limit` eigenvalues of `esd` (all of them when `limit` is nil).
    static func limited(_ esd: ESD, to limit: Int?) -> ESD {
        guard let limit, limit < esd.count else { return esd }
        return ESD(eigenvalues: Array(esd.eigenvalues.suffix(limit)), matrices: esd.matrices, scale: esd.scale)
    }

    /// A row with no values yet: every requested optional analysis is "unavailable".
    static func emptyReport(_ job: Job, row: Int, matrices: WeightMatrices, options: AnalysisOptions) -> LayerReport {
        let name = job.perSlice ? "\(job.descriptor.name):\(row)" : job.descriptor.name
        var count = matrices.eigenvalueCount
        if let limit = job.descriptor.componentLimit { count = min(count, limit) }
        var r = LayerReport(id: job.firstRowID + row, name: name, kind: job.kind, shape: job.descriptor.shape,
                            matrices: matrices, status: .ok, numEvals: count,
                            metrics: nil, fit: nil, fitMethod: options.fit, hill: nil, ks: nil)
        r.sliceIndex = job.perSlice ? row : nil
        r.quantization = job.descriptor.quantization
        r.smallNFit = options.smallNFit
        if let f = options.fingers { r.fingers = FingersColumns(method: f, numFingers: nil, rawAlpha: nil, clippedAlpha: nil) }
        if options.mpFit { r.mp = .unavailable }
        if options.randomize { r.randomization = .unavailable(seed: Randomization.layerSeed(options.seed, name: name)) }
        if options.farms != nil { r.farms = .unavailable }
        return r
    }

    /// Computes the metrics and fits of a layer from its ESD (and, with `--mp-fit`, the MP fit).
    public static func fill(_ report: inout LayerReport, esd: ESD, options: AnalysisOptions) {
        fill(&report, esd: esd, options: options, timings: nil)
    }

    static func fill(_ report: inout LayerReport, esd: ESD, options: AnalysisOptions, timings: StageTimings?) {
        let all = esd.eigenvalues
        let plAlphaHill = timings.measure(.fits) { alphaHill(all, options: options) }
        let values = plAlphaHill.fitValues
        report.numEvals = all.count
        report.metrics = SpectralMetrics(esd)
        let (hill, ks) = timings.measure(.fits) {
            (FitColumns(plAlphaHill.result, eigenvalues: all),
             FitColumns(ksFit(values, options: options), eigenvalues: all))
        }
        report.hill = hill
        report.ks = ks
        switch options.fit {
        case .hill: report.fit = hill
        case .ks: report.fit = ks
        case .peak:
            report.fit = timings.measure(.fits) {
                FitColumns(XminPeak.fit(values, referenceQuirk: options.peakReferenceQuirk), eigenvalues: all)
            }
        case .tpl:
            report.fit = timings.measure(.tpl) { FitColumns(TruncatedPowerLaw.fit(values), eigenvalues: all) }
        }
        if let method = options.fingers {
            let f = timings.measure(.fingers) { ClipXmax.fit(values, maxFingers: options.maxFingers) }
            report.fingers = FingersColumns(method: method, numFingers: f.raw.fit == nil ? nil : f.numFingers,
                                            rawAlpha: f.raw.fit?.alpha, clippedAlpha: f.fit.fit?.alpha)
            // WeightWatcher's `alpha` with clip_xmax is the clipped KS fit; another --fit keeps its own.
            if options.fit == .ks { report.fit = FitColumns(f.fit, eigenvalues: all) }
        }
        if options.mpFit {
            let m = esd.matrices
            report.mp = timings.measure(.mp) {
                MPColumns(MPFitter.fit(all, Q: Double(m.N) / Double(m.M), M: m.M))
            }
        }
    }

    /// The KS fit, or WeightWatcher's small-n fit for short spectra with `--small-n-fit`.
    static func ksFit(_ values: [Double], options: AnalysisOptions) -> FitResult {
        options.smallNFit && values.count < SmallNFit.cutoff ? SmallNFit.fit(values) : KSFit.fit(values)
    }

    /// The analyses that need the weights themselves: randomisation and FARMS.
    static func fillFromWeights(_ report: inout LayerReport, esd: ESD, matrices: WeightMatrices,
                                data: UnsafeBufferPointer<Double>, limit: Int?, options: AnalysisOptions,
                                timings: StageTimings?) throws {
        if options.randomize {
            let seed = Randomization.layerSeed(options.seed, name: report.name)
            report.randomization = try timings.measure(.randomization) {
                let rand = limited(try Randomization.esd(matrices, data: data, convNorm: options.convNorm, seed: seed), to: limit)
                let maxRand = rand.lambdaMax, lmax = esd.lambdaMax
                return RandomizationColumns(
                    seed: seed, maxRandEval: maxRand, softrank: lmax > 0 ? maxRand / lmax : nil,
                    maxDistance: lmax - maxRand,
                    sortedVectorDistance: Randomization.sortedVectorDistance(esd.eigenvalues, rand.eigenvalues),
                    densityDistance: Randomization.densityDistance(esd.eigenvalues, rand.eigenvalues),
                    mp: MPColumns(MPFitter.fit(rand.eigenvalues, Q: Double(matrices.N) / Double(matrices.M), M: matrices.M)))
            }
        }
        if let settings = options.farms {
            report.farms = try timings.measure(.farms) {
                guard let spectrum = try FARMS.spectrum(matrices, data: data, convNorm: options.convNorm, settings: settings) else {
                    return FARMSColumns.unavailable
                }
                let all = spectrum.eigenvalues
                let plAlphaHill = alphaHill(all, options: options)
                let values = plAlphaHill.fitValues, hill = plAlphaHill.result
                let ks = ksFit(values, options: options)
                let selected: FitResult
                switch options.fit {
                case .hill: selected = hill
                case .ks, .tpl: selected = ks
                case .peak: selected = XminPeak.fit(values, referenceQuirk: options.peakReferenceQuirk)
                }
                return FARMSColumns(windowRows: spectrum.windows.rows, windowCols: spectrum.windows.cols,
                                    windows: spectrum.windowCount, numEvals: all.count,
                                    fit: FitColumns(selected, eigenvalues: all),
                                    hillAlpha: hill.fit?.alpha, ksAlpha: ks.fit?.alpha)
            }
        }
    }

    /// TempBalance's PL_Alpha_Hill of a spectrum with the options' xmin position and zero filter;
    /// its `fitValues` are what every other fit of the layer sees.
    static func alphaHill(_ eigenvalues: [Double], options: AnalysisOptions) -> PLAlphaHill {
        PLAlphaHill(eigenvalues: eigenvalues, xminPos: options.xminPos, filterZeros: options.filterZeros,
                    zeroThreshold: options.zeroThreshold)
    }
}

/// Thread-safe result slots with a shared work counter.
final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    private var next = 0
    private var finished = 0
    private(set) var firstError: Error?

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The next job number, or nil when all are taken.
    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    /// Stores a result and returns how many are finished.
    func store(_ value: T, at i: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
        finished += 1
        return finished
    }

    func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if firstError == nil { firstError = error }
    }

    var hasError: Bool { lock.lock(); defer { lock.unlock() }; return firstError != nil }

    func values() -> [T] { slots.map { $0! } }
}
