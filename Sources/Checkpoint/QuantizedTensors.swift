/// How quantized safetensors (or PyTorch) checkpoints are read.
public enum QuantizedMode: String, Sendable, CaseIterable {
    /// Analyse the weights the integers stand for: `W = scale · q` (GPTQ: per group, zeros removed).
    case dequantize
    /// Analyse the integer matrix itself (GPTQ: the unpacked 4-bit values, as an (out, in) matrix).
    case raw
}

/// A weight stored as integers plus scales, recognised by tensor names:
/// - `int8-per-channel`: `P.qweight` (I8, (out, in)) with `P.scale` / `P.scales`, or `P.weight`
///   (I8) with `P.weight_scale` (compressed-tensors); a float scale per output row (shape (out)
///   or (out, 1)) or one for the tensor: `W[o][i] = s[o] · q[o][i]`.
/// - `bnb-int8` (bitsandbytes LLM.int8): `P.weight` (I8, (out, in)) with `P.SCB` (F32, (out)):
///   `W[o][i] = q[o][i] · SCB[o] / 127`.
/// - `gptq-<b>bit-g<G>` (AutoGPTQ / GPTQ-for-LLaMa, b ∈ {2, 4, 8}): `P.qweight` (I32, (in·b/32,
///   out), values packed along the input, lowest bits first), `P.scales` ((groups, out)),
///   `P.qzeros` (I32, (groups, out·b/32), packed along the output), optional `P.g_idx` (I32,
///   (in): each input row's group; default `i / G`): `W[o][i] = scale[g][o] · (q[i][o] − (z[g][o] + 1))`
///   (the `+ 1` of the "gptq" checkpoint format).
///
/// Products are formed in Double, where they are exact (a ≤ 24-bit scale times a small integer).
/// The combined tensor is named `P.weight`, so it matches the float model's layer of that name.
struct QuantizedTensor: Sendable {
    enum Scheme: Sendable {
        case int8PerChannel, bnbInt8
        case gptq(bits: Int, groupSize: Int)
    }
    typealias Part = (info: TensorInfo, source: TensorSource)

    let scheme: Scheme
    let mode: QuantizedMode
    let q: Part
    let scale: Part
    var zeros: Part? = nil
    var groupIndex: Part? = nil
    /// Rows and columns of the weight (out, in).
    let rows: Int
    let cols: Int

    var name: String {
        switch scheme {
        case .int8PerChannel: return scale.info.elementCount == 1 ? "int8-per-tensor" : "int8-per-channel"
        case .bnbInt8: return "bnb-int8"
        case let .gptq(bits, g): return "gptq-\(bits)bit-g\(g)"
        }
    }

    func readDoubles() throws -> [Double] {
        let qv = try q.source.doubles(q.info)
        let s = try scale.source.doubles(scale.info)
        switch scheme {
        case .int8PerChannel, .bnbInt8:
            if mode == .raw { return qv }
            let divisor: Double = { if case .bnbInt8 = scheme { return 127 } else { return 1 } }()
            var w = qv
            for o in 0..<rows {
                let so = s.count == 1 ? s[0] : s[o]
                for i in 0..<cols { w[o * cols + i] = qv[o * cols + i] * so / divisor }
            }
            return w
        case let .gptq(bits, groupSize):
            let pack = 32 / bits, mask = UInt32((1 << bits) - 1)
            let z = try zeros!.source.doubles(zeros!.info)
            let g = try groupIndex.map { try $0.source.doubles($0.info).map { Int($0) } } ?? (0..<cols).map { $0 / groupSize }
            let groups = scale.info.shape[0]
            func unpack(_ v: Double, _ k: Int) -> Int { Int((UInt32(bitPattern: Int32(v)) >> UInt32(bits * k)) & mask) }
            var w = [Double](repeating: 0, count: rows * cols)
            for i in 0..<cols {
                let gi = g[i]
                guard gi >= 0 && gi < groups else {
                    throw CheckpointError(.shapeMismatch, file: q.info.file, message: "'\(groupIndex?.info.name ?? "g_idx")' puts input \(i) in group \(gi) of \(groups)")
                }
                for o in 0..<rows {
                    let qi = unpack(qv[(i / pack) * rows + o], i % pack)
                    if mode == .raw { w[o * cols + i] = Double(qi); continue }
                    let zi = unpack(z[gi * (rows / pack) + o / pack], o % pack) + 1
                    w[o * cols + i] = s[gi * rows + o] * Double(qi - zi)
                }
            }
            return w
        }
    }
}

enum QuantizedTensors {
    /// Replaces the parts of every recognised quantized weight by one tensor `P.weight` (read
    /// as `mode` says); checkpoints without such parts are returned unchanged.
    /// - Throws: `CheckpointError(.shapeMismatch)` when recognised parts disagree in shape.
    static func combine(_ loaded: LoadedCheckpoint, mode: QuantizedMode) throws -> LoadedCheckpoint {
        var byName: [String: QuantizedTensor.Part] = [:]
        for t in loaded.tensors { byName[t.info.name] = t }
        var consumed = Set<String>()
        var combined: [String: QuantizedTensor] = [:]   // keyed by the name of the part it replaces
        func fail(_ info: TensorInfo, _ why: String) -> CheckpointError {
            CheckpointError(.shapeMismatch, file: info.file, message: "quantized weight '\(info.name)': \(why)")
        }
        for t in loaded.tensors {
            let name = t.info.name
            let (prefix, leaf) = split(name)
            func part(_ l: String) -> QuantizedTensor.Part? { byName[prefix + l] }
            func float(_ p: QuantizedTensor.Part?) -> QuantizedTensor.Part? { p.flatMap { $0.info.dtype.isFloatingPoint ? $0 : nil } }
            func int8Scale() -> (QuantizedTensor.Part, QuantizedTensor.Scheme)? {
                if leaf == "weight" {
                    if let s = float(part("SCB")) { return (s, .bnbInt8) }
                    if let s = float(part("weight_scale")) { return (s, .int8PerChannel) }
                } else if leaf == "qweight", let s = float(part("scales") ?? part("scale")) {
                    return (s, .int8PerChannel)
                }
                return nil
            }
            if leaf == "qweight", t.info.dtype == .I32, let scales = float(part("scales")), let zeros = part("qzeros"),
               t.info.shape.count == 2, scales.info.shape.count == 2 {
                let packedRows = t.info.shape[0], out = t.info.shape[1], groups = scales.info.shape[0]
                let gIdx = part("g_idx")
                let inFeatures = gIdx?.info.elementCount ?? packedRows * 8
                guard packedRows > 0, inFeatures % packedRows == 0, [4, 8, 16].contains(inFeatures / packedRows) else {
                    throw fail(t.info, "\(packedRows) packed rows do not hold \(inFeatures) inputs at 2, 4 or 8 bits")
                }
                let bits = 32 / (inFeatures / packedRows), pack = 32 / bits
                guard scales.info.shape[1] == out, groups > 0, inFeatures % groups == 0, out % pack == 0,
                      zeros.info.shape == [groups, out / pack], zeros.info.dtype == .I32 else {
                    throw fail(t.info, "qweight \(t.info.shape), scales \(scales.info.shape) and qzeros \(zeros.info.shape) disagree")
                }
                var qt = QuantizedTensor(scheme: .gptq(bits: bits, groupSize: inFeatures / groups), mode: mode, q: t, scale: scales,
                                         rows: out, cols: inFeatures)
                qt.zeros = zeros
                qt.groupIndex = gIdx
                combined[name] = qt
                consumed.formUnion([prefix + "scales", prefix + "qzeros", prefix + "g_idx"])
            } else if t.info.dtype == .I8, t.info.shape.count == 2, let (scale, scheme) = int8Scale() {
                let out = t.info.shape[0]
                guard scale.info.elementCount == out || scale.info.elementCount == 1 else {
                    throw fail(t.info, "\(scale.info.name) of shape \(scale.info.shape) is neither one scale per row (\(out)) nor one in all")
                }
                combined[name] = QuantizedTensor(scheme: scheme, mode: mode, q: t, scale: scale, rows: out, cols: t.info.shape[1])
                consumed.formUnion([scale.info.name, prefix + "weight_format"])
            }
        }
        if combined.isEmpty { return loaded }
        var tensors: [QuantizedTensor.Part] = []
        var names = Set(loaded.tensors.map(\.info.name))
        for t in loaded.tensors where !consumed.contains(t.info.name) {
            guard let qt = combined[t.info.name] else { tensors.append(t); continue }
            let target = split(t.info.name).prefix + "weight"
            if target != t.info.name && names.contains(target) {
                throw CheckpointError(.duplicateTensor, file: t.info.file, message: "quantized weight '\(t.info.name)' would be named '\(target)', which the checkpoint also holds")
            }
            names.insert(target)
            var info = TensorInfo(name: target, dtype: .F64, shape: [qt.rows, qt.cols], file: t.info.file, layout: .pytorch)
            info.quantization = qt.name + (mode == .raw ? " raw" : "")
            tensors.append((info, .quantized(qt)))
        }
        // A native order carries over to the combined tensors, which take their places.
        let order = loaded.nativeOrder.map { LayerOrder.native(tensors.map(\.info.name), note: $0.note ?? "the file's order") }
        return LoadedCheckpoint(format: loaded.format, tensors: tensors, metadata: loaded.metadata, nativeOrder: order)
    }

    /// `"a.b.qweight"` → (`"a.b."`, `"qweight"`).
    private static func split(_ name: String) -> (prefix: String, leaf: String) {
        guard let dot = name.lastIndex(of: ".") else { return ("", name) }
        return (String(name[...dot]), String(name[name.index(after: dot)...]))
    }
}
