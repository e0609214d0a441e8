import Foundation

/// Opens Keras 3 `.keras` files: a ZIP archive holding `model.weights.h5` (the Keras 3 weights
/// layout), `config.json` and `metadata.json`; entries may be stored or deflated.
///
/// The weights file is extracted (streamed, bounded by its declared size) to a temporary file
/// that is removed as soon as libhdf5 has opened it, and read like a `.weights.h5`. Keras 3
/// names the weight groups after layer *classes* (`layers/dense`, `layers/dense_1`, …, counted
/// per class in the model's layer order); the names the user gave (`config.json`'s
/// `config.layers[k].config.name`) replace them, recursively for nested models.
enum KerasArchive {
    static func isKerasArchive(_ zip: ZipArchive) -> Bool { zip.entry(named: "model.weights.h5") != nil }

    /// - Throws: `CheckpointError`: the archive's errors (`.compression` for a bad deflate
    ///   stream), `.io` if the temporary file cannot be written, `.invalidHeader` for a
    ///   `config.json` that is not JSON, and the HDF5 reader's errors.
    static func load(_ path: String, zip: ZipArchive) throws -> LoadedCheckpoint {
        guard let weights = zip.entry(named: "model.weights.h5") else {
            throw CheckpointError(.notACheckpoint, file: path, message: "a ZIP archive without model.weights.h5 (not a Keras .keras file)")
        }
        var renames: [String: (name: String, order: Int)] = [:]
        if let configEntry = zip.entry(named: "config.json") {
            let json: JSONValue
            do {
                json = try JSONParser.parse(try zip.data(of: configEntry, limit: 1 << 28))
            } catch let e as JSONSyntaxError {
                throw CheckpointError(.invalidHeader, file: path, message: "config.json is not valid JSON: \(e.message) at byte \(e.offset)")
            }
            layerNames(json, prefix: "layers/", renamedPrefix: "layers/", into: &renames)
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-keras-\(UUID().uuidString).weights.h5").path
        let slot = TemporaryFiles.register(temporary)
        defer {
            unlink(temporary)
            TemporaryFiles.unregister(slot)
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CheckpointError(.io, file: temporary, message: "cannot create a temporary file: \(String(cString: strerror(errno)))") }
        do {
            defer { close(fd) }
            try zip.extract(weights) { bytes in
                var done = 0
                while done < bytes.count {
                    let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw CheckpointError(.io, file: temporary, message: "cannot write the temporary file: \(String(cString: strerror(errno)))") }
                    done += n
                }
            }
        }
        // Errors, also those of later reads, name the archive and the entry, not the temporary file.
        let inner = try HDF5Loader.load(temporary, origin: HDF5Origin(file: path, prefix: "model.weights.h5: "))
        // Renamed, and in the model's layer order (the weights file lists groups by name).
        let tensors = inner.tensors.enumerated().map { k, t -> (order: [Int], info: TensorInfo, source: TensorSource) in
            let (name, order) = rename(t.info.name, renames)
            let info = TensorInfo(name: name, dtype: t.info.dtype, shape: t.info.shape, file: path, layout: t.info.layout)
            return (order + [k], info, t.source)
        }.sorted { $0.order.lexicographicallyPrecedes($1.order) }.map { ($0.info, $0.source) }
        return LoadedCheckpoint(format: .kerasArchive, tensors: tensors, metadata: inner.metadata,
                                nativeOrder: .native(tensors.map(\.0.name), note: "the .keras model's layer order"))
    }

    /// The weights-file group of each layer of `config` (a model's config.json or a nested
    /// model's layer config) mapped to the layer's own name and its position among the
    /// model's layers, as `layers/dense_1` → `layers/head`.
    static func layerNames(_ config: JSONValue, prefix: String, renamedPrefix: String,
                           into renames: inout [String: (name: String, order: Int)]) {
        guard let layers = config["config"]?["layers"], case .array(let list) = layers else { return }
        var used: [String: Int] = [:]
        for layer in list {
            guard let className = layer["class_name"]?.stringValue else { continue }
            let snake = snakeCase(className)
            let group: String
            if let n = used[snake] { used[snake] = n + 1; group = "\(snake)_\(n + 1)" } else { used[snake] = 0; group = snake }
            let own = layer["config"]?["name"]?.stringValue ?? group
            renames[prefix + group] = (renamedPrefix + own, renames.count)
            layerNames(layer, prefix: prefix + group + "/layers/", renamedPrefix: renamedPrefix + own + "/layers/", into: &renames)
        }
    }

    /// The tensor name with its longest renamed group prefix replaced, and the positions of
    /// the groups it lies in (for ordering; names without a renamed group come last).
    static func rename(_ name: String, _ renames: [String: (name: String, order: Int)]) -> (String, [Int]) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var best: (length: Int, name: String)?
        var order: [Int] = []
        for i in parts.indices {
            if let r = renames[parts[...i].joined(separator: "/")] {
                best = (i + 1, r.name)
                order.append(r.order)
            }
        }
        guard let best else { return (name, [Int.max]) }
        return ((([best.name] + parts[best.length...]).joined(separator: "/")), order)
    }

    /// Keras's `naming.to_snake_case`: drop non-word characters, `_` before each capitalised
    /// word and between a lower-case letter and a capital, then lower-case (`Conv2D` → `conv2d`,
    /// `MultiHeadAttention` → `multi_head_attention`).
    static func snakeCase(_ name: String) -> String {
        let c = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        // (.)([A-Z][a-z]+) → \1_\2
        var a: [Character] = []
        for (i, ch) in c.enumerated() {
            if i > 0, ch.isUppercase, i + 1 < c.count, c[i + 1].isLowercase { a.append("_") }
            a.append(ch)
        }
        // ([a-z])([A-Z]) → \1_\2
        var b: [Character] = []
        for (i, ch) in a.enumerated() {
            if i > 0, ch.isUppercase, a[i - 1].isLowercase { b.append("_") }
            b.append(ch)
        }
        return String(b).lowercased()
    }
}
