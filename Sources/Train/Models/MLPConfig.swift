import Settings
/// The architecture of a multilayer perceptron classifier.
///
/// Layers: `fc1 … fc{L+1}` (L = hidden.count), each hidden one followed by an optional
/// LayerNorm `ln{i}`, the activation, and optional dropout; `fc{L+1}` is the classifier head.
public struct MLPConfig: Sendable, Codable, Equatable {
    public var inputs: Int
    public var hidden: [Int]
    public var classes: Int
    public var activation: Activation = .relu
    public var layerNorm: Bool = false
    /// Dropout probability after each hidden activation (0 = none).
    public var dropout: Double = 0

    public init(inputs: Int, hidden: [Int], classes: Int, activation: Activation = .relu,
                layerNorm: Bool = false, dropout: Double = 0) {
        self.inputs = inputs
        self.hidden = hidden
        self.classes = classes
        self.activation = activation
        self.layerNorm = layerNorm
        self.dropout = dropout
    }

    enum CodingKeys: String, CodingKey {
        case inputs, hidden, classes, activation, layerNorm = "layer_norm", dropout
    }

    /// Feature sizes along the network: [inputs, hidden…, classes].
    public var widths: [Int] { [inputs] + hidden + [classes] }

    /// The linear layers' names in depth order: fc1 … fc{L+1}.
    public var linearNames: [String] { (1...(hidden.count + 1)).map { "fc\($0)" } }

    /// The parameter tensors, PyTorch names and shapes, in depth order.
    public var parameterLayout: TensorLayout {
        var layout = TensorLayout()
        let w = widths
        for l in 0...hidden.count {
            layout.add("fc\(l + 1).weight", [w[l + 1], w[l]])   // [out, in]
            layout.add("fc\(l + 1).bias", [w[l + 1]])
            if layerNorm && l < hidden.count {
                layout.add("ln\(l + 1).weight", [w[l + 1]])
                layout.add("ln\(l + 1).bias", [w[l + 1]])
            }
        }
        return layout
    }

    /// Checks the sizes; the message names the problem.
    public func validate() throws {
        guard inputs > 0, classes > 1 else { throw TrainError.invalidOption("a classifier needs inputs and at least two classes") }
        try TrainConfig.Limits.width.check(each: hidden, "hidden")
        try TrainConfig.Limits.dropout.check(dropout, "dropout")
    }
}
