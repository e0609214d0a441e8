import Settings
import Train

/// The architecture of an FNO (PDEBench's `FNO1d` / `FNO2d`):
///
///     fc0: Linear(inputChannels + d → width)       (the input plus the d grid coordinates)
///     pad by `padding` at the end of each axis      (FNO2d: 2; FNO1d: 0, PDEBench comments it out)
///     L times: x ← conv_l(x) + w_l(x), then GELU except after the last layer
///              (conv_l: SpectralConv with `modes` per axis; w_l: 1×1 convolution width → width)
///     unpad; fc1: Linear(width → projection); GELU; fc2: Linear(projection → outputChannels)
///
/// Parameter names and shapes are the reference module's (`fc0.weight` [width, in+d],
/// `conv0.weights1` [width, width, m…, 2] (complex as real pairs; 2-D also `weights2`),
/// `w0.weight` [width, width, 1(, 1)], `w0.bias`, …, `fc2.bias`), in its registration order.
public struct FNOConfig: Sendable, Codable, Equatable {
    /// The data grid: `[X]` (FNO1d) or `[X, Y]` (FNO2d).
    public var spatialShape: [Int]
    /// Input channels without the grid: initial_step × field channels.
    public var inputChannels: Int
    /// Output channels: the field channels (one time step).
    public var outputChannels: Int
    public var width = 20
    /// Retained modes per axis.
    public var modes = 12
    public var layers = 4
    public var padding: Int
    public var projection = 128

    public init(spatialShape: [Int], inputChannels: Int, outputChannels: Int, width: Int = 20, modes: Int = 12,
                layers: Int = 4, padding: Int? = nil, projection: Int = 128) {
        self.spatialShape = spatialShape
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.width = width
        self.modes = modes
        self.layers = layers
        self.padding = padding ?? (spatialShape.count == 2 ? 2 : 0)
        self.projection = projection
    }

    enum CodingKeys: String, CodingKey {
        case spatialShape = "spatial_shape", inputChannels = "input_channels", outputChannels = "output_channels"
        case width, modes, layers, padding, projection
    }

    /// Spatial dimensions d (1 or 2).
    public var dims: Int { spatialShape.count }
    public var grid: PaddedGrid { PaddedGrid(shape: spatialShape, padding: padding) }
    /// The reference's model name.
    public var modelName: String { "fno\(dims)d" }
    /// Corners of the half spectrum per spectral layer (1-D: 1, 2-D: 2).
    public var corners: Int { 1 << (dims - 1) }

    /// Checks the sizes (the spectral corners must fit the padded grid).
    public func validate() throws {
        func bad(_ m: String) -> TrainError { .invalidOption(m) }
        guard dims == 1 || dims == 2 else { throw bad("the FNO needs 1 or 2 spatial dimensions, got \(dims)") }
        guard spatialShape.allSatisfy({ $0 >= 2 }) else { throw bad("the grid \(spatialShape) is too small") }
        guard inputChannels > 0, outputChannels > 0 else { throw bad("the FNO needs input and output channels") }
        try FNOTrainConfig.Limits.width.check(width, "width")
        try FNOTrainConfig.Limits.layers.check(layers, "layers")
        try FNOTrainConfig.Limits.projection.check(projection, "projection")
        try FNOTrainConfig.Limits.padding.check(padding, "padding")
        let p = grid.paddedShape
        for (d, n) in p.enumerated() {
            let limit = d == p.count - 1 ? n / 2 + 1 : n / 2
            try InvalidSetting.require(modes >= 1 && modes <= limit, "modes", modes,
                                       "in [1, \(limit)] to fit axis \(d) of the padded grid \(p)")
        }
        // The spectral weights, width² · modes^d · 2 reals per corner, must stay countable.
        _ = try SettingProduct.check([width, width] + Array(repeating: modes, count: dims) + [2 * corners], "modes", value: modes,
                                     limit: 1 << 31, what: "spectral weights per layer, width² · modes^d · 2 · corners", related: ["width"])
    }

    /// The parameter layout, in the reference module's registration order.
    public var parameterLayout: TensorLayout {
        var l = TensorLayout()
        let W = width, one = [Int](repeating: 1, count: dims)
        l.add("fc0.weight", [W, inputChannels + dims]); l.add("fc0.bias", [W])
        for k in 0..<layers {
            for c in 1...corners { l.add("conv\(k).weights\(c)", [W, W] + [Int](repeating: modes, count: dims) + [2]) }
        }
        for k in 0..<layers { l.add("w\(k).weight", [W, W] + one); l.add("w\(k).bias", [W]) }
        l.add("fc1.weight", [projection, W]); l.add("fc1.bias", [projection])
        l.add("fc2.weight", [outputChannels, projection]); l.add("fc2.bias", [outputChannels])
        return l
    }

    /// The matrix layers in depth order (`fc0`, `w0` … `w{L−1}`, `fc1`, `fc2`): TempBalance's candidates.
    public var matrixLayers: [String] { ["fc0"] + (0..<layers).map { "w\($0)" } + ["fc1", "fc2"] }
    /// The spectral layers (`conv0` …).
    public var spectralLayers: [String] { (0..<layers).map { "conv\($0)" } }
    /// All analysable layers in depth order with the spectral ones before their 1×1 partner
    /// (`fc0`, `conv0`, `w0`, …, `fc1`, `fc2`).
    public var allLayers: [String] { ["fc0"] + (0..<layers).flatMap { ["conv\($0)", "w\($0)"] } + ["fc1", "fc2"] }
}
