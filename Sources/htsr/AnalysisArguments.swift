import ArgumentParser
import Analyzer
import PowerLaw

extension FitMethod: ExpressibleByArgument {}

/// The options that change the numbers of an analysis, shared by every command that analyses.
struct AnalysisArguments: ParsableArguments {
    @Option(help: "The fit behind the alpha/D/xmin columns and the warnings: hill, ks or peak (Hill and KS are always both reported).")
    var fit: FitMethod = .ks

    @Option(help: "Hill's xmin position: xmin = λ[⌊N / xmin-pos⌋] (2 = top half, 1.5 = top third).")
    var xminPos: Double = 2

    @Flag(help: "Fit only eigenvalues above 1e-5 (all of them if none is).")
    var filterZeros = false

    @Option(help: "Skip layers with fewer eigenvalues.")
    var minEvals: Int = 8

    @Option(help: "Skip layers with more eigenvalues.")
    var maxEvals: Int = 15_000

    @Option(help: "Skip layers whose larger dimension exceeds this.")
    var maxN: Int = 50_000

    @Option(help: "Analyse only layers whose name matches this regular expression.")
    var layers: String?

    @Flag(inversion: .prefixedNo, help: "Analyse embedding tables.")
    var embeddings = true

    @Option(help: "Factor applied to conv2d eigenvalues (WeightWatcher's conv2d_norm).")
    var convNorm: Double = 0.5

    @Flag(help: "Reproduce the reference code's xmin_peak lower-bound quirk (compatibility).")
    var peakReferenceQuirk = false

    @Option(help: "Worker threads across layers (BLAS is single-threaded inside each).")
    var threads: Int = defaultThreadCount

    var options: AnalysisOptions {
        var o = AnalysisOptions()
        o.fit = fit
        o.xminPos = xminPos
        o.filterZeros = filterZeros
        o.minEvals = minEvals
        o.maxEvals = maxEvals
        o.maxN = maxN
        o.layers = layers
        o.includeEmbeddings = embeddings
        o.convNorm = convNorm
        o.peakReferenceQuirk = peakReferenceQuirk
        o.threads = threads
        return o
    }

    func validate() throws {
        do { try options.validate() } catch let AnalysisError.invalidOption(message) {
            throw ValidationError(message)
        }
    }
}

/// The number of CPU cores, the default worker count.
let defaultThreadCount = max(1, System.activeProcessorCount)

import Foundation
enum System {
    static var activeProcessorCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
