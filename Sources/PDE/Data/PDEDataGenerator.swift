import Checkpoint
import Foundation
import Random
import Settings

/// One dataset of a generated file: its name and the shape of one sample's block (the file's
/// dataset has shape `[samples] + sampleShape`).
public struct DataField: Sendable, Equatable {
    public let name: String
    public let sampleShape: [Int]

    public init(name: String, sampleShape: [Int]) {
        self.name = name
        self.sampleShape = sampleShape
    }
}

/// A 1-D coordinate dataset (`x-coordinate`, `y-coordinate`, `t-coordinate`).
public struct DataCoordinate: Sendable, Equatable {
    public let name: String
    public let values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// The documented ranges of the generators' settings (`docs/pde.md`), checked by their
/// initialisers and by `DataSetWriter.write`; errors are `InvalidSetting`s named like the keys of
/// the file's `parameters` attribute (`resolution`, `frames`, `final_time`, `solver_resolution`, …).
public enum DataGeneratorLimits {
    public static let samples = SettingRange<Int>(1, 10_000_000)
    public static let threads = SettingRange<Int>(1, 1024)
    public static let compression = SettingRange<Int>(1, 9)
    /// gzip level 4: within a few per cent of level 9's size at a fraction of its time.
    public static let defaultCompression = 4
    /// Grid points of a 1-D output, and of its solver grid.
    public static let resolution1D = SettingRange<Int>(4, 16_384)
    public static let solverResolution1D = SettingRange<Int>(4, 1 << 20)
    /// Grid points per side of a 2-D output, and of its solver grid.
    public static let resolution2D = SettingRange<Int>(2, 4096)
    /// Grid points per side of the spectral and finite-volume 2-D solvers (Navier–Stokes, CFD).
    public static let resolutionFlow2D = SettingRange<Int>(4, resolution2D.upper)
    public static let solverResolution2D = SettingRange<Int>(2, 8192)
    public static let frames = SettingRange<Int>(2, 100_000)
    /// Final time and frame interval.
    public static let time = SettingRange<Double>.positive(upTo: 1000)
    public static let viscosity = SettingRange<Double>(0, 1000)
    /// Burgers needs some viscosity (the spectral solver resolves fronts of width 2ν).
    public static let burgersViscosity = SettingRange<Double>.positive(upTo: viscosity.upper)
    public static let mach = SettingRange<Double>.positive(upTo: 1)
    public static let refinement = SettingRange<Int>(1, 16)
    /// Values in a whole file (samples × frames × grid × fields): 2⁴⁰ float32 = 4 TiB.
    public static let fileValues = 1 << 40
}

/// Produces the samples of a PDE data set in the PDEBench HDF5 layout.
///
/// Sample `i` must depend only on the generator and the generator it is handed
/// (`SplitMix64(seed:stream: .sample(i))`), so a data set is the same whatever the number of threads.
public protocol PDEDataGenerator: Sendable {
    /// Short name of the equation (`burgers`, `darcy`, `navier-stokes`, `cfd`).
    var equation: String { get }
    /// The datasets, in the order `sample` returns them.
    var fields: [DataField] { get }
    /// Coordinate datasets written once per file.
    var coordinates: [DataCoordinate] { get }
    /// Every parameter that determines the data (recorded in the file's `parameters` attribute).
    var parameters: [String: String] { get }
    /// One sample: one array per field, each `product(sampleShape)` values, row-major.
    func sample(using rng: inout SplitMix64) throws -> [[Float]]
}

extension PDEDataGenerator {
    /// `parameters` as a JSON object with sorted keys (values are JSON numbers when they parse
    /// as finite numbers, strings otherwise).
    public var parametersJSON: String {
        let items = parameters.keys.sorted().map { key -> String in
            let value = parameters[key]!
            let number = Double(value).map { $0.isFinite } ?? false
            return JSONText.quoted(key) + ": " + (number ? value : JSONText.quoted(value))
        }
        return "{" + items.joined(separator: ", ") + "}"
    }
}

/// `count` equally spaced values `start, start + step, …`.
func arithmeticSequence(_ count: Int, start: Double = 0, step: Double) -> [Double] {
    (0..<count).map { start + Double($0) * step }
}

/// Formats a parameter value for the `parameters` attribute (shortest round-trip form).
func parameterString(_ x: Double) -> String { "\(x)" }
