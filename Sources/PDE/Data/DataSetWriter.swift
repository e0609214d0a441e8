import Checkpoint
import Foundation
import Parallel
import Random
import Settings

/// Generates a PDE data set and writes it as one HDF5 file in the PDEBench layout.
public enum DataSetWriter {
    /// What was written.
    public struct Summary: Sendable, Equatable {
        public let path: String
        public let samples: Int
        /// Each dataset's full shape, in file order (fields, then coordinates).
        public let shapes: [String: [Int]]
    }

    /// Writes `samples` samples of `generator` to `path`, atomically.
    ///
    /// Sample `i` is drawn from `SplitMix64(seed: seed, stream: .sample(i))`, so the file is identical
    /// for any `threads`. Samples are generated `threads` at a time in parallel and written in
    /// order as they complete, so memory holds only a few samples. Each field becomes a float32
    /// dataset of shape `[samples] + sampleShape`, chunked one sample per chunk and compressed with
    /// shuffle + gzip level `compressionLevel`; coordinates are float32 vectors. Root attributes:
    /// `generator` (`software` + the generator type), `equation`, `parameters` (JSON), `seed`,
    /// `samples`, `layout` (`PDEBench`).
    ///
    /// - Parameters:
    ///   - progress: called after each written sample with `(written, samples)`.
    /// - Throws: `InvalidSetting` for samples, threads or compression outside `DataGeneratorLimits`; the generator's
    ///   errors (the first failing sample's); `CheckpointError` if the file cannot be written. On
    ///   any error no file is left at `path`.
    /// Checks the settings of a `write` before anything is written: samples, threads and
    /// compression within `DataGeneratorLimits`, and every field's values (samples × sample
    /// shape) at most `DataGeneratorLimits.fileValues`.
    /// - Throws: `InvalidSetting` naming the setting.
    public static func validate(_ generator: some PDEDataGenerator, samples: Int, threads: Int, compressionLevel: Int) throws {
        try DataGeneratorLimits.samples.check(samples, "samples")
        try DataGeneratorLimits.threads.check(threads, "threads")
        try DataGeneratorLimits.compression.check(compressionLevel, "compression")
        for field in generator.fields {
            _ = try SettingProduct.check([samples] + field.sampleShape, "samples", value: samples, limit: DataGeneratorLimits.fileValues,
                                         what: "values of '\(field.name)', samples × frames × grid")
        }
    }

    @discardableResult
    public static func write(_ generator: some PDEDataGenerator, samples: Int, seed: UInt64, to path: String,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount, compressionLevel: Int = DataGeneratorLimits.defaultCompression,
                             software: String = "htsr", progress: (Int, Int) -> Void = { _, _ in }) throws -> Summary {
        try validate(generator, samples: samples, threads: threads, compressionLevel: compressionLevel)
        let writer = try HDF5Writer(path: path)
        var shapes: [String: [Int]] = [:]
        for field in generator.fields {
            let shape = [samples] + field.sampleShape
            try writer.createDataset(field.name, shape: shape, chunk: [1] + field.sampleShape, compressionLevel: compressionLevel)
            shapes[field.name] = shape
        }
        for c in generator.coordinates {
            try writer.writeDataset(c.name, shape: [c.values.count], values: c.values.map { Float($0) })
            shapes[c.name] = [c.values.count]
        }
        try writer.setAttribute("generator", "\(software) PDE.\(type(of: generator))")
        try writer.setAttribute("equation", generator.equation)
        try writer.setAttribute("parameters", generator.parametersJSON)
        try writer.setAttribute("seed", "\(seed)")
        try writer.setAttribute("samples", "\(samples)")
        try writer.setAttribute("layout", "PDEBench")

        var next = 0
        while next < samples {
            let block = min(threads, samples - next)
            let results = ResultSlots<Result<[[Float]], any Error>>(count: block)
            let first = next
            DispatchQueue.concurrentPerform(iterations: block) { k in
                var rng = SplitMix64(seed: seed, stream: .sample(first + k))
                results.store(Result { try generator.sample(using: &rng) }, at: k)
            }
            for (k, result) in results.values.enumerated() {
                guard let result else { preconditionFailure("concurrentPerform runs every iteration") }
                let arrays = try result.get()
                for (field, values) in zip(generator.fields, arrays) {
                    try writer.write(field.name, block: values, start: [first + k] + field.sampleShape.map { _ in 0 })
                }
                progress(first + k + 1, samples)
            }
            next += block
        }
        try writer.commit()
        return Summary(path: path, samples: samples, shapes: shapes)
    }
}
