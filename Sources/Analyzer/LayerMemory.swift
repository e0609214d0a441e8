import Checkpoint
import Spectrum

extension Analyzer {
    /// The bytes one layer's analysis allocates at its peak, an upper estimate of the dominant
    /// terms (nil if the size overflows):
    /// - the weights in Double: the whole tensor, or one streamed block (`streamBlockElements`);
    /// - a slice copy (multi-slice layers), the Gram matrix (M × M) and `dsyevd`'s workspace
    ///   (≈ 2 M² doubles), the eigenvalues (twice, for sorting);
    /// - all of that twice with `--randomize` (a shuffled copy and its spectrum) or FARMS.
    static func memoryNeed(_ job: Job, options: AnalysisOptions) -> Int? {
        let m = job.matrices
        let streamed = !job.perSlice && !options.needsWholeMatrix && ESD.canStream(m)
        let weights = streamed ? MemoryBudget.bytes(min(streamBlockElements, job.descriptor.shape.reduce(1, *)), 8)
                               : MemoryBudget.bytes(job.descriptor.shape + [8])
        let slice = m.sliceCount > 1 ? MemoryBudget.bytes(m.rows, m.cols, 8) : 0
        let gram = MemoryBudget.bytes(m.M, m.M, 3 * 8)
        let eigenvalues = MemoryBudget.bytes(m.eigenvalueCount, 2 * 8)
        var sum = 0
        for part in [weights, slice, gram, eigenvalues] {
            guard let part else { return nil }
            let (s, o) = sum.addingReportingOverflow(part)
            if o { return nil }
            sum = s
        }
        return options.needsWholeMatrix ? MemoryBudget.bytes(sum, 2) : sum
    }

    /// What a layer is called in a budget error.
    static func memoryLabel(_ job: Job) -> String {
        "layer '\(job.descriptor.name)' (shape \(job.descriptor.shape.map(String.init).joined(separator: "×")))"
    }
}
