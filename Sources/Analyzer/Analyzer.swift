import Dispatch
import Foundation
import LinearAlgebra
import PowerLaw
import Spectrum

/// Runs the analysis: tensors → matrices → eigenvalues → fits and metrics, one row per layer.
public enum Analyzer {
    /// Progress: (layers finished, layers in total, name of the layer just finished).
    public typealias Progress = @Sendable (Int, Int, String) -> Void

    /// A layer selected for analysis, before its spectrum is computed.
    struct Job {
        let id: Int
        let descriptor: TensorDescriptor
        let kind: LayerKind
        let matrices: WeightMatrices
    }

    /// The layers `analyze` would analyse, in checkpoint order, with their matrix views
    /// (for benchmarks and tools that must run over exactly the same matrices).
    public static func selectedLayers(_ source: TensorSource, options: AnalysisOptions) throws -> [(descriptor: TensorDescriptor, matrices: WeightMatrices)] {
        try plan(source, options: options).jobs.map { ($0.descriptor, $0.matrices) }
    }

    /// Splits the source's tensors into analysed layers and skipped tensors with their reasons.
    static func plan(_ source: TensorSource, options: AnalysisOptions) throws -> (jobs: [Job], skipped: [SkippedTensor]) {
        let regex = try options.layers.map { try Regex($0) }
        var jobs: [Job] = []
        var skipped: [SkippedTensor] = []
        for d in source.descriptors {
            func skip(_ reason: SkipReason) { skipped.append(SkippedTensor(descriptor: d, reason: reason)) }
            let kind: LayerKind
            switch LayerClassifier.classify(name: d.name, shape: d.shape, isFloatingPoint: d.isFloatingPoint) {
            case let .failure(reason): skip(reason); continue
            case let .success(k): kind = k
            }
            if kind == .embedding && !options.includeEmbeddings { skip(.embeddingExcluded); continue }
            if let regex, (try? regex.firstMatch(in: d.name)) == nil { skip(.filteredOut); continue }
            let m = WeightMatrices(kind: kind, shape: d.shape, layout: d.layout)
            if m.N > options.maxN { skip(.tooLarge(n: m.N, max: options.maxN)); continue }
            if m.eigenvalueCount < options.minEvals || m.eigenvalueCount > options.maxEvals {
                skip(.eigenvalueCount(count: m.eigenvalueCount, min: options.minEvals, max: options.maxEvals))
                continue
            }
            jobs.append(Job(id: jobs.count, descriptor: d, kind: kind, matrices: m))
        }
        return (jobs, skipped)
    }

    /// Analyses every selected layer of `source`.
    ///
    /// Layers run in parallel on `options.threads` workers, largest first, each holding one
    /// tensor (in Double) at a time; BLAS is set to one thread. Results are in checkpoint order.
    /// A layer with NaN/Inf weights or a LAPACK failure gets that status; the others go on.
    ///
    /// - Parameter keepEigenvalues: called with each layer's ESD (e.g. to save it or plot it).
    /// - Throws: `AnalysisError.invalidOption`, or the source's read error.
    public static func analyze(_ source: TensorSource, options: AnalysisOptions,
                               progress: Progress? = nil,
                               keepEigenvalues: (@Sendable (LayerReport, ESD) throws -> Void)? = nil) throws -> AnalysisReport {
        try options.validate()
        let (jobs, skipped) = try plan(source, options: options)
        BLASThreads.set(1)
        let order = jobs.indices.sorted { jobs[$0].descriptor.shape.reduce(1, *) > jobs[$1].descriptor.shape.reduce(1, *) }
        let results = ResultSlots<LayerReport>(count: jobs.count)
        let workers = max(1, min(options.threads, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let k = results.claim(), !results.hasError {
                let job = jobs[order[k]]
                do {
                    let (report, esd) = try analyzeLayer(job, from: source, options: options)
                    if let esd, let keepEigenvalues { try keepEigenvalues(report, esd) }
                    let done = results.store(report, at: order[k])
                    progress?(done, jobs.count, job.descriptor.name)
                } catch {
                    results.fail(error)
                }
            }
        }
        if let error = results.firstError { throw error }
        return AnalysisReport(source: SourceInfo(source), options: options, layers: results.values(), skipped: skipped)
    }

    /// Elements per streamed block: 16 MiB of Doubles, so layers up to 2M weights are one
    /// `dsyrk` and larger ones (embeddings) a few, while memory stays bounded.
    static let streamBlockElements = 1 << 21

    /// Analyses one layer, reading it from `source`: tall single-slice layers are streamed in
    /// row blocks (their Gram accumulated block by block, so the weights are never held whole);
    /// the others are read whole.
    static func analyzeLayer(_ job: Job, from source: TensorSource, options: AnalysisOptions) throws -> (LayerReport, ESD?) {
        guard ESD.canStream(job.matrices) else {
            return analyzeLayer(job, data: try source.readDoubles(job.descriptor), options: options)
        }
        var report = emptyReport(job, options: options)
        let cols = job.matrices.cols
        let perBlock = max(1, streamBlockElements / cols) * cols
        let streamed: ESD.Streamed
        do {
            streamed = try ESD.streaming(job.matrices) { body in
                try source.forEachBlock(job.descriptor, elementsPerBlock: perBlock, body)
            }
        } catch let error as LinearAlgebraError {
            report.status = .failed("\(error)")
            return (report, nil)
        }
        switch streamed {
        case let .nonFinite(count):
            report.status = .nonFinite(count: count)
            return (report, nil)
        case let .esd(esd):
            fill(&report, esd: esd, options: options)
            return (report, esd)
        }
    }

    static func emptyReport(_ job: Job, options: AnalysisOptions) -> LayerReport {
        LayerReport(id: job.id, name: job.descriptor.name, kind: job.kind, shape: job.descriptor.shape,
                    matrices: job.matrices, status: .ok, numEvals: job.matrices.eigenvalueCount,
                    metrics: nil, fit: nil, fitMethod: options.fit, hill: nil, ks: nil)
    }

    /// Analyses one layer from its data (row-major in the job's shape).
    static func analyzeLayer(_ job: Job, data: [Double], options: AnalysisOptions) -> (LayerReport, ESD?) {
        var report = emptyReport(job, options: options)
        let nonFinite = data.withUnsafeBufferPointer(ESD.countNonFinite)
        if nonFinite > 0 {
            report.status = .nonFinite(count: nonFinite)
            return (report, nil)
        }
        let esd: ESD
        do {
            esd = try data.withUnsafeBufferPointer { try ESD(job.matrices, data: $0, convNorm: options.convNorm) }
        } catch {
            report.status = .failed("\(error)")
            return (report, nil)
        }
        fill(&report, esd: esd, options: options)
        return (report, esd)
    }

    /// Computes the metrics and fits of a layer from its ESD.
    public static func fill(_ report: inout LayerReport, esd: ESD, options: AnalysisOptions) {
        let all = esd.eigenvalues
        let values = options.filterZeros ? esd.filtered(above: options.zeroThreshold) : all
        report.numEvals = all.count
        report.metrics = SpectralMetrics(esd)
        let hill = FitColumns(Hill.fit(values, xminPos: options.xminPos), eigenvalues: all)
        let ks = FitColumns(KSFit.fit(values), eigenvalues: all)
        report.hill = hill
        report.ks = ks
        switch options.fit {
        case .hill: report.fit = hill
        case .ks: report.fit = ks
        case .peak: report.fit = FitColumns(XminPeak.fit(values, referenceQuirk: options.peakReferenceQuirk), eigenvalues: all)
        }
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
