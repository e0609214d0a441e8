import Checkpoint

/// A data file is not in a PDEBench layout this reader understands.
public struct PDEDataFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}

/// An HDF5 data set in the PDEBench layout — ours (`htsr data`) or a real PDEBench file — opened
/// for reading by sample ranges.
///
/// Recognised layouts (dataset shapes as h5py shows them):
/// - `.scalar`: `tensor` `(samples, t, x)` or `(samples, t, x, y)` (1-D Burgers/advection and our
///   2-D Navier–Stokes vorticity), with `x-coordinate` (and `y-coordinate`);
/// - `.darcy`: `nu` `(samples, x, y)` (the coefficient) and `tensor` `(samples, t, x, y)`, `t`
///   usually 1 (PDEBench's `2D_DarcyFlow_*.hdf5`), with `x-`/`y-coordinate`;
/// - `.cfd`: `density`, `Vx` (`Vy`, `Vz`) and `pressure`, all `(samples, t, x[, y[, z]])`
///   (PDEBench 1-D/2-D/3-D CFD), with one coordinate per spatial axis.
/// `t-coordinate` is optional; PDEBench writes `t + 1` values (the frame times plus one more),
/// ours writes exactly `t`; both are accepted and `times` holds the first `t`.
public struct PDEBenchFile: Sendable {
    public enum Layout: String, Sendable { case scalar, darcy, cfd }

    public let path: String
    public let layout: Layout
    /// Number of samples (the first axis of every field).
    public let samples: Int
    /// Frames per sample (1 for a steady Darcy file).
    public let timeSteps: Int
    /// Spatial grid shape (`[x]`, `[x, y]` or `[x, y, z]`).
    public let spatialShape: [Int]
    /// Per-sample datasets, in a fixed order: `["tensor"]`, `["nu", "tensor"]`, or
    /// `["density", "Vx", "Vy", ("Vz",) "pressure"]`.
    public let fields: [String]
    /// Each field's full shape.
    public let shapes: [String: [Int]]
    /// Coordinates per spatial axis (`x-coordinate`, …), in axis order.
    public let axes: [[Double]]
    /// The frame times (the first `timeSteps` of `t-coordinate`), or nil without one.
    public let times: [Double]?
    /// Root string attributes (`generator`, `parameters`, `seed`, … for our files).
    public let metadata: [String: String]

    private let checkpoint: Checkpoint

    /// Opens `path` and checks that its datasets form one of the layouts.
    /// - Throws: `CheckpointError` if the file cannot be opened as HDF5; `PDEDataFileError`
    ///   naming the inconsistent or missing dataset otherwise.
    public static func open(_ path: String) throws -> PDEBenchFile {
        try PDEBenchFile(checkpoint: try Checkpoint.open(path))
    }

    private init(checkpoint c: Checkpoint) throws {
        path = c.path
        checkpoint = c
        metadata = c.metadata
        func fail(_ message: String) -> PDEDataFileError { PDEDataFileError(file: c.path, message: message) }
        func shape(_ name: String) -> [Int]? { c.tensor(named: name)?.shape }
        let layout: Layout
        var fields: [String]
        if shape("density") != nil {
            layout = .cfd
            let velocity = ["Vx", "Vy", "Vz"].filter { shape($0) != nil }
            fields = ["density"] + velocity + ["pressure"]
        } else if shape("nu") != nil {
            layout = .darcy
            fields = ["nu", "tensor"]
        } else if shape("tensor") != nil {
            layout = .scalar
            fields = ["tensor"]
        } else {
            throw fail("not a PDEBench data file: no 'tensor', 'nu' or 'density' dataset")
        }
        var shapes: [String: [Int]] = [:]
        for f in fields {
            guard let s = shape(f) else { throw fail("the \(layout.rawValue) layout needs a dataset '\(f)'") }
            shapes[f] = s
        }
        let main = layout == .darcy ? shapes["tensor"]! : shapes[fields[0]]!
        guard main.count >= 3, main.count <= 5 else {
            throw fail("dataset '\(layout == .darcy ? "tensor" : fields[0])' has shape \(main); expected (samples, t, x[, y[, z]])")
        }
        let spatial = Array(main.dropFirst(2))
        for f in fields where f != "nu" && shapes[f] != main {
            throw fail("dataset '\(f)' has shape \(shapes[f]!), but '\(fields[0])' has \(main)")
        }
        if layout == .darcy, shapes["nu"]! != [main[0]] + spatial {
            throw fail("dataset 'nu' has shape \(shapes["nu"]!); expected \([main[0]] + spatial) to match 'tensor' \(main)")
        }
        let axisNames = ["x-coordinate", "y-coordinate", "z-coordinate"]
        var axes: [[Double]] = []
        for (d, n) in spatial.enumerated() {
            guard let info = c.tensor(named: axisNames[d]) else { throw fail("missing dataset '\(axisNames[d])' for spatial axis \(d)") }
            let values = try c.readDoubles(info)
            guard values.count == n else { throw fail("'\(axisNames[d])' has \(values.count) values, but the grid has \(n) points on axis \(d)") }
            axes.append(values)
        }
        var times: [Double]?
        if let info = c.tensor(named: "t-coordinate"), layout != .darcy {
            let t = try c.readDoubles(info)
            guard t.count == main[1] || t.count == main[1] + 1 else {
                throw fail("'t-coordinate' has \(t.count) values for \(main[1]) frames (expected \(main[1]) or \(main[1] + 1))")
            }
            times = Array(t.prefix(main[1]))
        }
        self.layout = layout
        self.fields = fields
        self.shapes = shapes
        samples = main[0]
        timeSteps = main[1]
        spatialShape = spatial
        self.axes = axes
        self.times = times
    }

    /// Samples `range` of `field`, row-major with shape `[range.count] + shapes[field].dropFirst()`.
    /// - Throws: `PDEDataFileError` for an unknown field or a range outside `0 ..< samples`;
    ///   `CheckpointError` if the data cannot be read.
    public func read(_ field: String, samples range: Range<Int>) throws -> [Float] {
        guard fields.contains(field), let info = checkpoint.tensor(named: field) else {
            throw PDEDataFileError(file: path, message: "no field '\(field)' (fields: \(fields.joined(separator: ", ")))")
        }
        guard range.lowerBound >= 0, range.upperBound <= samples else {
            throw PDEDataFileError(file: path, message: "samples \(range.lowerBound)..<\(range.upperBound) are outside 0..<\(samples)")
        }
        return try checkpoint.readFloats(info, rows: range)
    }
}
