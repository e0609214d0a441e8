import Checkpoint
import Foundation
import Random

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
