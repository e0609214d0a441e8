import Checkpoint
import Dispatch
import Foundation
import LinearAlgebra
import PowerLaw
import Spectrum

/// Runs the analysis: tensors → matrices → eigenvalues → fits and metrics, one row per layer.
public enum Analyzer {
    /// Progress: called when a layer starts and when it finishes.
    public typealias Progress = @Sendable (AnalysisProgress) -> Void

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
    /// Layers run in parallel on `options.threads` workers (or `workers`, which the report does
    /// not record), largest first (`Scheduling.cost`),
    /// each holding one tensor at a time; BLAS runs one thread each (the caller's count is
    /// restored on return), and workers with no layer
    /// left help with the others' Gram panels (`PanelHelpers`). Results are in forward order
    /// and do not depend on the schedule. A layer with NaN/Inf weights or a LAPACK failure gets
    /// that status; the others go on.
    /// Every layer's peak memory (`memoryNeed`) must fit `MemoryBudget.current`, checked for
    /// all layers before any is analysed; layers analysed at once share the budget.
    ///
    /// - Parameters:
    ///   - order: the layer order (`--order FILE`); nil: the source's `forwardOrder()`.
    ///   - progress: called when a layer starts and when it finishes.
    ///   - keepEigenvalues: called with each row's ESD (e.g. to save it or plot it).
    ///   - timings: collects the seconds spent per stage (`--timings`).
    /// - Throws: `InvalidSetting` for options outside their ranges, `LayerOrderError`,
    ///   `MemoryBudgetError` naming the first layer that does not fit, or the source's read error.
    public static func analyze(_ source: TensorSource, options: AnalysisOptions, order: LayerOrder? = nil, workers: Int? = nil,
                               progress: Progress? = nil,
                               keepEigenvalues: (@Sendable (LayerReport, ESD) throws -> Void)? = nil,
                               timings: StageTimings? = nil) throws -> AnalysisReport {
        try options.validate()
        let layerOrder = try order ?? source.forwardOrder()
        let (jobs, skipped, tensorOrder) = try plan(source, options: options, order: layerOrder)
        let callersThreads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(callersThreads) }
        let costs = jobs.map { Scheduling.cost($0.matrices) }
        let results = JobQueue<[LayerReport]>(order: Scheduling.largestFirst(costs), costs: costs,
                                                 names: jobs.map(\.descriptor.name))
        let workers = max(1, min(workers ?? options.threads, jobs.count))
        let helpers = PanelHelpers()
        // Each layer reserves its peak memory from the budget before it allocates anything.
        let ledger = MemoryLedger(budget: MemoryBudget.current)
        for job in jobs { try ledger.budget.check(memoryNeed(job, options: options), for: memoryLabel(job)) }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            defer { helpers.retire() }
            while let i = results.claim(then: helpers.begin) {
                defer { helpers.end() }
                progress?(results.progress)
                do {
                    let job = jobs[i]
                    let rows = try ledger.withReservation(memoryNeed(job, options: options), for: memoryLabel(job)) {
                        let spectra = try spectra(of: job, from: source, options: options, timings: timings, panels: helpers.runner)
                        return reports(job, spectra, options: options, comparison: source.comparison != nil, timings: timings)
                    }
                    if let keepEigenvalues {
                        for (report, esd) in rows { if let esd { try keepEigenvalues(report, esd) } }
                    }
                    results.store(rows.map(\.0), at: i)
                    progress?(results.progress)
                } catch {
                    results.fail(error, at: i)
                }
            }
        }
        if let error = results.firstError { throw error }
        return report(source, options: options, layers: results.values().flatMap { $0 }, skipped: skipped,
                      order: OrderInfo(layerOrder, tensors: tensorOrder))
    }

    /// The report of `source` from its rows (in forward order), skipped tensors and order.
    static func report(_ source: TensorSource, options: AnalysisOptions, layers: [LayerReport],
                       skipped: [SkippedTensor], order: OrderInfo) -> AnalysisReport {
        var report = AnalysisReport(source: SourceInfo(source), options: options, layers: layers, skipped: skipped)
        report.order = order
        report.comparison = source.comparison
        return report
    }

    /// Elements per streamed block: 16 MiB of Doubles, so layers up to 2M weights are one
    /// Gram update and larger ones (embeddings) a few, while memory stays bounded.
    static let streamBlockElements = 1 << 21

    /// The spectra of one tensor, read from `source`. With the default options a single-slice
    /// layer is never held whole in Double: a tall one is streamed in row blocks (its Gram
    /// accumulated block by block); a wide one is read in its own precision when that is
    /// exact in Float (F32, F16, BF16, FP8: half the memory of Double) and its Gram summed
    /// over column blocks converted one at a time. The others, and every layer when an option
    /// needs the weights themselves (randomisation, FARMS, per-slice rows), are read whole.
    static func spectra(of job: Job, from source: TensorSource, options: AnalysisOptions, timings: StageTimings?,
                        panels: @escaping SymmetricEigen.PanelRunner = SymmetricEigen.serialPanels) throws -> [RowSpectra] {
        let m = job.matrices
        let limit = job.descriptor.componentLimit
        if !job.perSlice, !options.needsWholeMatrix, m.sliceCount == 1 {
            if ESD.canStream(m) {
                return [try streamedRows(job, from: source, options: options, timings: timings, panels: panels)]
            }
            if let floats = try timings.measure(.read, { try source.readFloats(job.descriptor) }) {
                return [try columnBlocks(job, floats: floats, options: options, timings: timings, panels: panels)]
            }
        }
        let data = try timings.measure(.read) { try source.readDoubles(job.descriptor) }
        return try data.withUnsafeBufferPointer { p in
            guard job.perSlice else {
                return [try rowSpectra(m, data: p, limit: limit, name: job.descriptor.name, options: options,
                                       timings: timings, panels: panels)]
            }
            return try (0..<m.sliceCount).map { s in
                try m.slice(s, of: p).withUnsafeBufferPointer {
                    try rowSpectra(m.singleSlice, data: $0, limit: limit, name: "\(job.descriptor.name):\(s)",
                                   options: options, timings: timings, panels: panels)
                }
            }
        }
    }

    /// A tall layer's spectrum from row blocks read one at a time.
    static func streamedRows(_ job: Job, from source: TensorSource, options: AnalysisOptions, timings: StageTimings?,
                             panels: @escaping SymmetricEigen.PanelRunner) throws -> RowSpectra {
        let cols = job.matrices.cols
        let perBlock = max(1, streamBlockElements / cols) * cols
        // Reading is the time spent in the source's block loop outside the Gram updates; the
        // rest (Gram updates and the eigensolver) is the spectrum.
        let start = now()
        var readSeconds = 0.0
        let streamed: ESD.Streamed
        do {
            streamed = try ESD.streaming(job.matrices, convNorm: options.convNorm, panels: panels) { body in
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
            return RowSpectra(layer: .failed("\(error)"))
        }
        if let timings {
            timings.add(.read, max(0, readSeconds))
            timings.add(.spectra, max(0, now() - start - readSeconds))
        }
        return RowSpectra(streamed, limit: job.descriptor.componentLimit)
    }

    /// A wide layer's spectrum from its Float copy, converted to Double one column block at a
    /// time (`ESD.streamingColumns`): about `streamBlockElements` per block.
    static func columnBlocks(_ job: Job, floats: [Float], options: AnalysisOptions, timings: StageTimings?,
                             panels: @escaping SymmetricEigen.PanelRunner) throws -> RowSpectra {
        let (rows, cols) = (job.matrices.rows, job.matrices.cols)
        let width = min(cols, max(1, streamBlockElements / rows))
        var block = [Double](repeating: 0, count: rows * width)
        let streamed: ESD.Streamed
        do {
            streamed = try timings.measure(.spectra) {
                try ESD.streamingColumns(job.matrices, convNorm: options.convNorm, panels: panels) { body in
                    try floats.withUnsafeBufferPointer { f in
                        var c0 = 0
                        while c0 < cols {
                            let w = min(width, cols - c0)
                            block.withUnsafeMutableBufferPointer { b in
                                for i in 0..<rows {
                                    let src = f.baseAddress! + i * cols + c0, dst = b.baseAddress! + i * w
                                    for j in 0..<w { dst[j] = Double(src[j]) }
                                }
                            }
                            try block.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<(rows * w)]), w) }
                            c0 += w
                        }
                    }
                }
            }
        } catch let error as LinearAlgebraError {
            return RowSpectra(layer: .failed("\(error)"))
        }
        return RowSpectra(streamed, limit: job.descriptor.componentLimit)
    }

    /// The spectra of one matrix view (the whole layer, or one slice) from its weights.
    static func rowSpectra(_ matrices: WeightMatrices, data: UnsafeBufferPointer<Double>, limit: Int?, name: String,
                           options: AnalysisOptions, timings: StageTimings?,
                           panels: SymmetricEigen.PanelRunner) throws -> RowSpectra {
        let nonFinite = ESD.countNonFinite(data)
        if nonFinite > 0 { return RowSpectra(layer: .nonFinite(count: nonFinite)) }
        var row: RowSpectra
        do {
            let esd = try timings.measure(.spectra) { try ESD(matrices, data: data, convNorm: options.convNorm, panels: panels) }
            row = RowSpectra(layer: .eigenvalues(limited(esd, to: limit).eigenvalues))
        } catch let error as LinearAlgebraError {
            return RowSpectra(layer: .failed("\(error)"))
        }
        if options.randomize {
            do {
                let seed = Randomization.layerSeed(options.seed, name: name)
                let rand = try timings.measure(.randomization) {
                    try Randomization.esd(matrices, data: data, convNorm: options.convNorm, seed: seed)
                }
                row.randomized = .eigenvalues(limited(rand, to: limit).eigenvalues)
            } catch let error as LinearAlgebraError {
                row.randomized = .failed("\(error)")
                return row
            }
        }
        if let settings = options.farms {
            do {
                let spectrum = try timings.measure(.farms) {
                    try FARMS.spectrum(matrices, data: data, convNorm: options.convNorm, settings: settings)
                }
                row.farms = spectrum.map { .spectrum($0) } ?? .noWindow
            } catch let error as LinearAlgebraError {
                row.farms = .failed("\(error)")
            }
        }
        return row
    }

    /// The rows of one job made from its spectra: metrics, fits and the optional columns.
    /// The single place rows are made, for a local and a distributed analysis alike; with
    /// `comparison` (`--base`, LoRA) a zero difference is `unchanged` (`markUnchanged`).
    static func reports(_ job: Job, _ spectra: [RowSpectra], options: AnalysisOptions, comparison: Bool,
                        timings: StageTimings?) -> [(LayerReport, ESD?)] {
        spectra.enumerated().map { r, s in
            let matrices = job.perSlice ? job.matrices.singleSlice : job.matrices
            var report = emptyReport(job, row: r, matrices: matrices, options: options)
            let values: [Double]
            switch s.layer {
            case let .nonFinite(count): report.status = .nonFinite(count: count); return (report, nil)
            case let .failed(message): report.status = .failed(message); return (report, nil)
            case let .eigenvalues(v): values = v
            }
            let esd = ESD(eigenvalues: values, matrices: matrices, scale: matrices.eigenvalueScale(convNorm: options.convNorm))
            if markUnchanged(&report, esd: esd, comparison: comparison) { return (report, esd) }
            fill(&report, esd: esd, options: options, timings: timings)
            switch s.randomized {
            case nil: break
            case let .eigenvalues(rand)?:
                report.randomization = timings.measure(.randomization) {
                    randomizationColumns(esd: esd, randomized: rand, matrices: matrices, name: report.name, options: options)
                }
            case let .failed(message)?:
                report.status = .failed(message)
                return (report, esd)
            case let .nonFinite(count)?:   // not produced: the shuffled weights are the layer's
                report.status = .nonFinite(count: count)
                return (report, esd)
            }
            switch s.farms {
            case nil: break
            case .noWindow?: report.farms = .unavailable
            case let .spectrum(spectrum)?: report.farms = timings.measure(.farms) { farmsColumns(spectrum, options: options) }
            case let .failed(message)?: report.status = .failed(message)
            }
            return (report, esd)
        }
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

    /// The randomisation columns of a layer from its ESD and its shuffled weights' eigenvalues.
    static func randomizationColumns(esd: ESD, randomized rand: [Double], matrices: WeightMatrices, name: String,
                                     options: AnalysisOptions) -> RandomizationColumns {
        let maxRand = rand.last ?? 0, lmax = esd.lambdaMax
        return RandomizationColumns(
            seed: Randomization.layerSeed(options.seed, name: name), maxRandEval: maxRand,
            softrank: lmax > 0 ? maxRand / lmax : nil, maxDistance: lmax - maxRand,
            sortedVectorDistance: Randomization.sortedVectorDistance(esd.eigenvalues, rand),
            densityDistance: Randomization.densityDistance(esd.eigenvalues, rand),
            mp: MPColumns(MPFitter.fit(rand, Q: Double(matrices.N) / Double(matrices.M), M: matrices.M)))
    }

    /// The FARMS columns from the pooled window spectrum.
    static func farmsColumns(_ spectrum: FARMSSpectrum, options: AnalysisOptions) -> FARMSColumns {
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

    /// TempBalance's PL_Alpha_Hill of a spectrum with the options' xmin position and zero filter;
    /// its `fitValues` are what every other fit of the layer sees.
    static func alphaHill(_ eigenvalues: [Double], options: AnalysisOptions) -> PLAlphaHill {
        PLAlphaHill(eigenvalues: eigenvalues, xminPos: options.xminPos, filterZeros: options.filterZeros,
                    zeroThreshold: options.zeroThreshold)
    }
}

/// Monotonic seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
