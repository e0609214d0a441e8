import Checkpoint
import Foundation
import PDE
import Settings
import Train

/// Samples of a PDE data set in the layout PDEBench's `FNODatasetSingle` hands to the model:
/// one sample is [S…, T, C] (grid points, then time, then channel, row-major), here flattened.
public struct FNOSamples: Sendable {
    public var count: Int
    /// count · S · T · C values.
    public var values: [Float]
    /// The file's sample index of each sample.
    public var indices: [Int]
}

/// A PDEBench-layout file read for FNO training: fields as channels, the split into a fixed
/// test set, a validation set and a training pool strided by `reduced_batch`.
///
/// Fields → channels: `.scalar` `tensor` (N, T, X[, Y]) → C = 1; `.darcy` `nu` (the
/// coefficient, frame 0) and `tensor` (the solution, frame 1) → T = 2, C = 1 (PDEBench's
/// Darcy pairing: one autoregressive step from a to u); `.cfd` density, Vx, Vy(, Vz), pressure
/// → C = 2 + d. Spatial and temporal strides are PDEBench's `reduced_resolution(_t)`.
///
/// Split: test = the first `testCount` samples (PDEBench's `[:test_idx]`), validation = the
/// last `validationCount` samples, training pool = the samples between, strided by
/// `reducedBatch` from its start (`[::reduced_batch]`), or from `poolOffset` < `reducedBatch`
/// (`[offset::reduced_batch]`: the strides from different offsets are disjoint subsets of one size).
public struct FNODataSet: Sendable {
    public let path: String
    public let layout: PDEBenchFile.Layout
    public let spatialShape: [Int]
    public let frames: Int
    public let channels: Int
    /// The field each channel holds (`density`, `Vx`, …, `pressure` for compressible flow;
    /// `tensor` for the one-field layouts).
    public let channelNames: [String]
    /// Grid coordinates, [S…, d] row-major (the model's appended inputs).
    public let grid: [Double]
    public let train: FNOSamples
    public let validation: FNOSamples
    public let test: FNOSamples
    /// Samples in the training pool before striding (the 100 % reference).
    public let poolCount: Int

    public var points: Int { spatialShape.reduce(1, *) }
    public var sampleSize: Int { points * frames * channels }
    public var dims: Int { spatialShape.count }

    /// Reads the file and splits it.
    /// - Throws: `PDEDataFileError` / `CheckpointError` for an unreadable or malformed file;
    ///   `TrainError.badData` (naming the file) when the layout does not suit the FNO or the
    ///   split leaves no training sample.
    /// - Parameter darcyScale: Darcy only: the solution is multiplied by this factor — the
    ///   solution for the source `darcyScale · f` (u is linear in f). nRMSE is unchanged; the
    ///   loss is no longer ~1e-5, where Adam's L2 term would outweigh it (the FNO reference
    ///   normalises Darcy data instead; PDEBench does neither).
    /// - Parameter testCount: nil: 10 % of the file (PDEBench's `test_ratio` 0.1), at least 1.
    public init(path: String, testCount requestedTest: Int?, validationCount: Int, reducedBatch: Int = 1, poolOffset: Int = 0,
                reducedResolution: Int = 1, reducedResolutionT: Int = 1, darcyScale: Float = 1) throws {
        let file = try PDEBenchFileOpen.open(path)
        let testCount = requestedTest ?? max(1, file.samples / 10)
        func bad(_ m: String) -> TrainError { .badData(file: path, problem: m) }
        guard (1...2).contains(file.spatialShape.count) else {
            throw bad("has \(file.spatialShape.count) spatial dimensions; the FNO here takes 1 or 2")
        }
        try FNOTrainConfig.Limits.count.check(reducedBatch, "reduced_batch")
        try FNOTrainConfig.Limits.count.check(reducedResolution, "reduced_resolution")
        try FNOTrainConfig.Limits.count.check(reducedResolutionT, "reduced_resolution_t")
        try FNOTrainConfig.Limits.poolOffset.check(poolOffset, "pool_offset")
        try InvalidSetting.require(poolOffset < reducedBatch, "pool_offset", poolOffset,
                                   "less than reduced_batch (\(reducedBatch))", related: ["reduced_batch"])
        guard testCount >= 1, validationCount >= 0, testCount + validationCount < file.samples else {
            throw bad("has \(file.samples) samples: too few for \(testCount) test + \(validationCount) validation samples and a training pool")
        }
        self.path = path
        layout = file.layout
        let fullShape = file.spatialShape
        spatialShape = fullShape.map { ($0 + reducedResolution - 1) / reducedResolution }
        let fullFrames = file.layout == .darcy ? 2 : file.timeSteps
        frames = file.layout == .darcy ? 2 : (fullFrames + reducedResolutionT - 1) / reducedResolutionT
        channels = file.layout == .cfd ? file.fields.count : 1
        channelNames = file.layout == .cfd ? file.fields : ["tensor"]
        guard frames >= 2 else { throw bad("has \(frames) time step(s) after striding; at least 2 are needed") }
        // Grid: the file's coordinates, strided.
        let axes = file.axes.map { a in stride(from: 0, to: a.count, by: reducedResolution).map { a[$0] } }
        var g: [Double] = []
        if axes.count == 1 { g = axes[0] } else { for x in axes[0] { for y in axes[1] { g += [x, y] } } }
        grid = g
        let poolRange = testCount..<(file.samples - validationCount)
        poolCount = poolRange.count
        let trainIndices = Array(stride(from: poolRange.lowerBound + poolOffset, to: poolRange.upperBound, by: reducedBatch))
        // Every sample read is kept (as Float): the whole set must fit the budget.
        try MemoryBudget.current.check(MemoryBudget.bytes(testCount + validationCount + trainIndices.count, spatialShape.reduce(1) { MemoryBudget.bytes($0, $1) ?? .max }, frames, channels, 4),
                                       for: "the data set of \(path) (\(testCount + validationCount + trainIndices.count) samples)")
        let read = SampleReader(file: file, spatialShape: spatialShape, frames: frames, channels: channels,
                                stride: reducedResolution, strideT: reducedResolutionT, darcyScale: darcyScale)
        test = try read.samples(Array(0..<testCount))
        validation = try read.samples(Array(poolRange.upperBound..<file.samples))
        train = try read.samples(trainIndices)
    }
}

extension FNODataSet {
    /// The training-subset size for `reducedBatch` without reading the data: ⌈(pool − offset) / k⌉
    /// with pool = samples − test − validation (test nil: 10 %).
    public static func trainCount(path: String, testCount: Int?, validationCount: Int, reducedBatch: Int, poolOffset: Int = 0) throws -> Int {
        let pool = try poolCount(path: path, testCount: testCount, validationCount: validationCount) - poolOffset
        return pool > 0 ? (pool + reducedBatch - 1) / reducedBatch : 0
    }

    /// The training pool's size (samples − test − validation; test nil: 10 %) without reading the data.
    public static func poolCount(path: String, testCount: Int?, validationCount: Int) throws -> Int {
        let n = try PDEBenchFileOpen.open(path).samples
        return n - (testCount ?? max(1, n / 10)) - validationCount
    }
}

/// Reads samples of a file into the [S…, T, C] layout.
struct SampleReader {
    let file: PDEBenchFile
    let spatialShape: [Int]
    let frames: Int
    let channels: Int
    let stride: Int
    let strideT: Int
    let darcyScale: Float

    func samples(_ indices: [Int]) throws -> FNOSamples {
        let S = spatialShape.reduce(1, *), T = frames, C = channels
        var out = [Float](repeating: 0, count: indices.count * S * T * C)
        guard let first = indices.first, let last = indices.last else { return FNOSamples(count: 0, values: [], indices: []) }
        let range = first..<(last + 1)
        let fullShape = file.spatialShape, fullS = fullShape.reduce(1, *)
        // Spatial index map: strided output point → full-grid point.
        var spatialMap = [Int](repeating: 0, count: S)
        if spatialShape.count == 1 {
            for x in 0..<S { spatialMap[x] = x * stride }
        } else {
            for x in 0..<spatialShape[0] { for y in 0..<spatialShape[1] { spatialMap[x * spatialShape[1] + y] = (x * stride) * fullShape[1] + y * stride } }
        }
        switch file.layout {
        case .darcy:
            let a = try file.read("nu", samples: range), u = try file.read("tensor", samples: range)
            let uFrames = file.timeSteps
            for (n, i) in indices.enumerated() {
                let r = i - first
                for s in 0..<S {
                    out[(n * S + s) * T * C + 0] = a[r * fullS + spatialMap[s]]
                    out[(n * S + s) * T * C + 1] = darcyScale * u[(r * uFrames + uFrames - 1) * fullS + spatialMap[s]]
                }
            }
        case .scalar, .cfd:
            let fullT = file.timeSteps
            for (c, field) in file.fields.enumerated() {
                let v = try file.read(field, samples: range)
                for (n, i) in indices.enumerated() {
                    let r = i - first
                    for t in 0..<T {
                        let src = (r * fullT + t * strideT) * fullS
                        for s in 0..<S { out[((n * S + s) * T + t) * C + c] = v[src + spatialMap[s]] }
                    }
                }
            }
        }
        guard out.allSatisfy({ $0.isFinite }) else {
            throw TrainError.badData(file: file.path, problem: "holds NaN or infinite values in samples \(first)…\(last)")
        }
        return FNOSamples(count: indices.count, values: out, indices: indices)
    }
}
