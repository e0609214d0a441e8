internal import CHDF5

/// Opens HDF5 checkpoints: Keras 2 weights, Keras 2 full models, Keras 3 `.weights.h5`, or
/// generic HDF5 files.
enum HDF5Loader {
    /// Detects the layout and lists the numeric datasets in checkpoint order.
    ///
    /// - Keras 2 full model (a root `model_weights` link): only `model_weights/` is walked, so
    ///   `optimizer_weights/` and anything else is skipped; names lose the `model_weights/` prefix.
    /// - Keras 2 weights (a root attribute `layer_names`).
    /// - Keras 3 (a root `layers` or `vars` group and a dataset at `…/vars/<k>`): the root
    ///   `optimizer` group (optimizer state, not weights) is skipped.
    /// - Anything else: every numeric dataset.
    ///
    /// For Keras 2 files the order is that of `layer_names` and each layer's `weight_names`
    /// (also when split into `layer_names0`, `layer_names1`, ...); datasets the lists do not
    /// mention follow in walk order. Metadata: the root's scalar string attributes, then (full
    /// models) those of `model_weights` for keys not yet present.
    ///
    /// Datasets the file does not back are refused or marked unreadable (see
    /// `HDF5Walker`). With `HDF5Isolation` on (the `htsr` executable turns it on), all of this
    /// runs in a worker process, so that libhdf5 crashing or hanging on a corrupt file is an
    /// error rather than the end of htsr.
    ///
    /// - Parameter origin: how errors name the file (default: `path`).
    /// - Throws: `CheckpointError(.hdf5)` if libhdf5 cannot open or walk the file, or a Keras 2
    ///   list names a layer group or weight that does not exist, or the worker crashed or
    ///   timed out ("unreadable HDF5 (…)").
    static func load(_ path: String, origin: HDF5Origin? = nil) throws -> LoadedCheckpoint {
        let origin = origin ?? HDF5Origin(file: path)
        if let worker = HDF5Isolation.worker { return try HDF5WorkerFile.open(path, origin: origin, worker: worker) }
        return try loadInProcess(path, origin: origin).loaded
    }

    /// `load`'s work, in this process; also returns the open file (the worker serves reads from it).
    static func loadInProcess(_ path: String, origin: HDF5Origin) throws -> (loaded: LoadedCheckpoint, file: HDF5File) {
        try HDF5Lock.run {
            let file = try HDF5File.openLocked(path, origin: origin)
            let root = H5Gopen2(file.id, "/", htsr_H5P_DEFAULT())
            guard root >= 0 else { throw file.errorLocked("cannot open group", "/") }
            defer { H5Gclose(root) }
            var metadata = try HDF5Attributes.scalarStringsLocked(root, file: file, owner: "/")

            let fullModel = H5Lexists(root, "model_weights", htsr_H5P_DEFAULT()) > 0
            var walker = HDF5Walker(file: file)
            try walker.walkLocked(fullModel ? "model_weights" : "")
            let format: CheckpointFormat
            var datasets = walker.datasets
            var native = false
            var prefix = ""
            if fullModel {
                format = .keras2FullModel
                prefix = "model_weights/"
                let mw = htsr_H5Gopen(file.id, "/model_weights")
                guard mw >= 0 else { throw file.errorLocked("cannot open group", "/model_weights") }
                defer { H5Gclose(mw) }
                for (k, v) in try HDF5Attributes.scalarStringsLocked(mw, file: file, owner: "/model_weights") where metadata[k] == nil {
                    metadata[k] = v
                }
                if let layers = try HDF5Attributes.kerasListLocked(mw, "layer_names", file: file, owner: "/model_weights") {
                    datasets = try kerasOrderLocked(datasets, layers: layers, prefix: prefix, walker: walker)
                    native = true
                }
            } else if let layers = try HDF5Attributes.kerasListLocked(root, "layer_names", file: file, owner: "/") {
                format = .keras2
                datasets = try kerasOrderLocked(datasets, layers: layers, prefix: "", walker: walker)
                native = true
            } else if isKeras3(walker) {
                format = .keras3
                datasets = datasets.filter { !$0.path.hasPrefix("optimizer/") }
            } else {
                format = .hdf5
            }
            let layout: TensorLayout = format == .hdf5 ? .pytorch : .keras
            let tensors = datasets.map { d in
                var info = TensorInfo(name: String(d.path.dropFirst(prefix.count)), dtype: d.dtype, shape: d.shape, file: origin.file, layout: layout)
                info.unreadable = d.unreadable
                return (info: info, source: TensorSource.hdf5(file: file, dataset: "/" + d.path))
            }
            // Keras 2 lists its layers in the model's order (`layer_names`): the forward order.
            let order = native ? LayerOrder.native(tensors.map(\.info.name), note: "Keras layer_names") : nil
            return (LoadedCheckpoint(format: format, tensors: tensors, metadata: metadata, nativeOrder: order), file)
        }
    }

    /// A Keras 3 weights file: a root `layers` or `vars` group, and some dataset `…/vars/<k>`.
    private static func isKeras3(_ walker: HDF5Walker) -> Bool {
        guard walker.groupPaths.contains("layers") || walker.groupPaths.contains("vars") else { return false }
        return walker.allDatasetPaths.contains { p in
            let parts = p.split(separator: "/")
            return parts.count >= 2 && parts[parts.count - 2] == "vars" && parts.last!.allSatisfy { $0.isASCII && $0.isNumber }
        }
    }

    /// Reorders `datasets` (paths starting with `prefix`) by the Keras 2 `layer_names` list and
    /// each layer group's `weight_names`; unlisted datasets follow in their current order.
    /// Listed weights that exist but are not numeric are left out silently.
    private static func kerasOrderLocked(_ datasets: [HDF5Dataset], layers: [String], prefix: String,
                                         walker: HDF5Walker) throws -> [HDF5Dataset] {
        let file = walker.file
        let byPath = Dictionary(datasets.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var ordered: [HDF5Dataset] = []
        var used = Set<String>()
        for layer in layers {
            let groupPath = prefix + layer
            guard walker.groupPaths.contains(groupPath) else {
                throw file.error("layer '\(layer)' is listed in layer_names but group '/\(groupPath)' does not exist")
            }
            let g = htsr_H5Gopen(file.id, "/" + groupPath)
            guard g >= 0 else { throw file.errorLocked("cannot open group", "/" + groupPath) }
            defer { H5Gclose(g) }
            for weight in try HDF5Attributes.kerasListLocked(g, "weight_names", file: file, owner: "/" + groupPath) ?? [] {
                let p = groupPath + "/" + weight
                guard walker.allDatasetPaths.contains(p) else {
                    throw file.error("weight '\(weight)' is listed in weight_names of layer '\(layer)' but dataset '/\(p)' does not exist")
                }
                if let d = byPath[p], used.insert(p).inserted { ordered.append(d) }
            }
        }
        return ordered + datasets.filter { !used.contains($0.path) }
    }
}
