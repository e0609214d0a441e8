import ComplexNumbers
import Foundation
import LinearAlgebra
import PowerLaw
import Train

/// How TempBalance reads a 1×1 convolution's weight [O, I, 1(, 1)].
public enum ConvAnalysis: String, Sendable, Codable, CaseIterable {
    /// As the O × I matrix it is (min(O, I) eigenvalues of WᵀW). The default.
    case matrix
    /// The reference FNO code's behaviour (`tempbalance-spec.md` §1): `svdvals` of the 3-D tensor
    /// [O, I, 1] is a batch of O matrices I × 1, so the "eigenvalues" are the squared row norms
    /// ‖W[o, :]‖². A compatibility option.
    case rowNorms = "row-norms"
}

/// TempBalance for the FNO (the Model Balancing reference's `sciml/fno` code): layer-wise
/// sigmoid over the matrix layers fc0, w0 … w3, fc1 (fc2, 128 → channels, has too few
/// eigenvalues), Hill α at `xmin_pos` 2 with `filter_zeros`, a layer needs more than 12
/// eigenvalues after filtering, no first/last exclusion, recomputed every epoch. The spectral
/// weights keep the global rate unless `includeSpectral` (see `FNOBalance.spectralEigenvalues`).
public struct FNOBalanceOptions: Sendable, Codable, Equatable {
    /// The sigmoid policy (`s_min = s_max = s`, τ = 10, layer unit, `minEvals` 13 = "> 12").
    public var policy: PolicyOptions
    public var xminPos = 2.0
    /// Drop eigenvalues ≤ `ZeroFilter.referenceThreshold` (1e-5) before fitting (all kept if none is larger).
    public var filterZeros = true
    public var convAnalysis: ConvAnalysis = .matrix
    /// Balance the spectral layers too, through the pooled ESD of their per-mode complex matrices.
    public var includeSpectral = false

    /// The reference settings with sigmoid scale `s` (the paper's per-ratio choice).
    public init(s: Double = 1) {
        var p = PolicyOptions()
        p.scheme = .sigmoid
        p.unit = .layer
        p.sMin = s
        p.sMax = s
        p.tau = 10
        p.dropFirst = false
        p.dropLast = false
        p.minEvals = 13
        p.normsFollow = false
        policy = p
    }

    enum CodingKeys: String, CodingKey {
        case policy, xminPos = "xmin_pos", filterZeros = "filter_zeros", convAnalysis = "conv_analysis"
        case includeSpectral = "include_spectral"
    }
}

/// One layer's analysis: its eigenvalues (after filtering) and the fit.
public struct FNOLayerSpectrum: Sendable {
    public var name: String
    public var eigenvalues: [Double]
    public var alpha: Double?
}

public enum FNOBalance {
    /// The layers analysed, in depth order.
    public static func layers(_ config: FNOConfig, options: FNOBalanceOptions) -> [String] {
        options.includeSpectral ? config.allLayers : config.matrixLayers
    }

    /// The eigenvalues of WᵀW (ascending, Double, no normalisation) of a matrix layer
    /// (`fc*`: [out, in]; `w*`: [out, in, 1…] read per `convAnalysis`) or of a spectral layer
    /// (`conv*`, pooled per-mode complex spectra).
    public static func eigenvalues(_ layer: String, parameters: ParameterSet<Float>, options: FNOBalanceOptions) throws -> [Double] {
        if layer.hasPrefix("conv") {
            let tensors = parameters.entries.filter { $0.module == layer }
            return try spectralEigenvalues(tensors.map { (shape: $0.shape, values: parameters.values.array($0).map(Double.init)) })
        }
        let e = parameters.entry(layer + ".weight")
        let rows = e.shape[0], cols = e.shape.dropFirst().reduce(1, *)
        let w = parameters.values.array(e).map(Double.init)
        if layer.hasPrefix("w") && options.convAnalysis == .rowNorms {
            return (0..<rows).map { o in (0..<cols).reduce(0.0) { $0 + w[o * cols + $1] * w[o * cols + $1] } }.sorted()
        }
        return try SymmetricEigen.gramEigenvalues(w, rows: rows, cols: cols)
    }

    /// The pooled ESD of a spectral layer: for every corner tensor [I, O, m…, 2] and every
    /// retained mode k, the eigenvalues of W_kᴴW_k of the complex I × O matrix W_k[i, o]
    /// (the squared singular values, min(I, O) per mode; `HermitianEigen`), all modes
    /// together, ascending.
    public static func spectralEigenvalues(_ tensors: [(shape: [Int], values: [Double])]) throws -> [Double] {
        var all: [Double] = []
        for t in tensors {
            let I = t.shape[0], O = t.shape[1], M = t.shape.dropFirst(2).dropLast().reduce(1, *)
            var mode = [Complex<Double>](repeating: .zero, count: I * O)
            for k in 0..<M {
                for io in 0..<(I * O) {
                    let at = (io * M + k) * 2
                    mode[io] = Complex(t.values[at], t.values[at + 1])
                }
                all += try HermitianEigen.gramEigenvalues(mode, rows: I, cols: O)
            }
        }
        return all.sorted()
    }

    /// Every analysed layer's filtered spectrum and Hill α (nil when the fit fails or the
    /// weights are not finite). Runs BLAS single-threaded and restores the caller's count.
    public static func spectra(_ parameters: ParameterSet<Float>, config: FNOConfig, options: FNOBalanceOptions) -> [FNOLayerSpectrum] {
        let saved = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(saved) }
        return layers(config, options: options).map { name in
            guard let raw = try? eigenvalues(name, parameters: parameters, options: options), raw.allSatisfy(\.isFinite) else {
                return FNOLayerSpectrum(name: name, eigenvalues: [], alpha: nil)
            }
            let fit = PLAlphaHill(eigenvalues: raw, xminPos: options.xminPos, filterZeros: options.filterZeros)
            return FNOLayerSpectrum(name: name, eigenvalues: fit.fitValues, alpha: fit.alpha)
        }
    }

    /// The policy's decisions and one multiplier per parameter entry (by name: an analysed
    /// module's tensors — weight and bias, or weights1/weights2 — get its rate; all else 1).
    public static func decide(_ spectra: [FNOLayerSpectrum], parameterNames: [String], options: FNOBalanceOptions)
        -> (decisions: [LayerDecision], multipliers: [Double]) {
        let fits = spectra.map { LayerFit(name: $0.name, eigenvalueCount: $0.eigenvalues.count, metric: $0.alpha) }
        let decisions = TempBalance.decide(fits, options: options.policy)
        let routed = TempBalance.route(parameterNames: parameterNames, decisions: decisions, options: options.policy)
        return (decisions, routed.map(\.multiplier))
    }
}
