import Foundation

/// The forward order of a model's tensors: the order `model.named_parameters()` lists them in,
/// which safetensors files do not keep (they store tensors by name, so `encoder.layer.10`
/// precedes `encoder.layer.2` and `attention.output` precedes `attention.self`).
///
/// Where it comes from, in order of precedence:
/// 1. `file`: a list the user gives (`--order FILE`, one name per line, as
///    `for n, _ in model.named_parameters(): print(n)` prints);
/// 2. `family`: the module order of a known family (`ModelFamily`), from `config.json`'s
///    `model_type` / `architectures` beside the checkpoint (or, for GGUF, its tensor names);
/// 3. `native`: the format's own record of the model's order, supplied by its reader
///    (`LoadedCheckpoint.nativeOrder`: Keras 2 `layer_names`, a `.keras` archive's layer order,
///    a PyTorch state dict's order — the order it was saved in);
/// 4. `natural`: natural (numeric-aware) name order, component by component.
///
/// Family and natural orders compare names component by component (split at `.`): block
/// indices as numbers, a module's own tensors (`weight`, then `bias`, then others by name)
/// before its submodules, known submodules in the family's order, unknown ones after them by
/// name. In a family order, names with a wrapper prefix (`bert.`, `model.`, `transformer.`) are
/// recognised by their first component that starts a family path; names outside the family's
/// table (an unknown head) follow all known ones. Listed orders (file, native) put names they
/// do not list after all listed ones, in natural order.
public struct LayerOrder: Sendable, Equatable {
    public enum Method: String, Sendable, Codable {
        case file, native, family, natural
    }

    public let method: Method
    /// The family, for `family` orders.
    public let family: ModelFamily?
    /// The `config.json` (family) or the order file (file) it came from.
    public let file: String?
    /// What defines a native order (e.g. "Keras layer_names"), or why the fallback was used.
    public let note: String?
    /// Listed orders: name → position.
    private let positions: [String: Int]
    private let trie: OrderTrie?

    private init(method: Method, family: ModelFamily? = nil, file: String? = nil, note: String? = nil,
                 positions: [String: Int] = [:], trie: OrderTrie? = nil) {
        self.method = method
        self.family = family
        self.file = file
        self.note = note
        self.positions = positions
        self.trie = trie
    }

    /// Natural name order, with a note saying why it is used.
    public static func natural(note: String? = nil) -> LayerOrder { LayerOrder(method: .natural, note: note) }

    /// A family's module order (`config` names the `config.json` it was read from).
    public static func family(_ family: ModelFamily, config: String? = nil) -> LayerOrder {
        LayerOrder(method: .family, family: family, file: config, trie: OrderTrie.of(family))
    }

    /// A reader's own order: `names` in forward order; `note` says what defines it.
    public static func native(_ names: [String], note: String) -> LayerOrder {
        LayerOrder(method: .native, note: note, positions: positionMap(names))
    }

    /// A user's list (already matched to the checkpoint's names, see `fromFile`).
    public static func listed(_ names: [String], file: String, note: String? = nil) -> LayerOrder {
        LayerOrder(method: .file, file: file, note: note, positions: positionMap(names))
    }

    /// Equal when they come from the same source (a family's tree follows from the family).
    public static func == (a: LayerOrder, b: LayerOrder) -> Bool {
        a.method == b.method && a.family == b.family && a.file == b.file && a.note == b.note && a.positions == b.positions
    }

    private static func positionMap(_ names: [String]) -> [String: Int] {
        var p: [String: Int] = [:]
        for (i, n) in names.enumerated() where p[n] == nil { p[n] = i }
        return p
    }

    /// One line for tables and messages, e.g. `forward (BERT, config.json model_type)`.
    public var summary: String {
        switch method {
        case .family:
            if family == .gguf { return "forward order of llama.cpp's GGUF tensor names" }
            return "forward order of the \(family!.rawValue) family" + (file.map { " (from \($0))" } ?? "")
        case .file: return "forward order from \(file ?? "a file")" + (note.map { " (\($0))" } ?? "")
        case .native: return "forward order from the checkpoint (\(note ?? "its own order"))"
        case .natural: return "natural name order" + (note.map { " (\($0))" } ?? "")
        }
    }

    /// Whether this is a model's forward order (not the natural-name fallback).
    public var isForward: Bool { method != .natural }

    /// `names` in this order (a stable sort: equal keys keep their given order).
    public func sorted(_ names: [String]) -> [String] {
        sortedIndices(names).map { names[$0] }
    }

    /// The permutation that sorts `names` into this order.
    public func sortedIndices(_ names: [String]) -> [Int] {
        switch method {
        case .file, .native:
            let keys = names.map { positions[$0] }
            let natural = names.map { NameKey(natural: $0) }
            return names.indices.sorted { a, b in
                switch (keys[a], keys[b]) {
                case let (x?, y?): return x != y ? x < y : a < b
                case (_?, nil): return true
                case (nil, _?): return false
                case (nil, nil): return natural[a] != natural[b] ? natural[a] < natural[b] : a < b
                }
            }
        case .family, .natural:
            let keys: [NameKey] = names.map { name in
                if let trie { return NameKey(name: name, trie: trie) }
                return NameKey(natural: name)
            }
            return names.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
        }
    }

    // MARK: config.json

    /// The order `config.json` at `path` names: a family order when its `model_type` or
    /// `architectures` is a known family, else natural order with a note saying so.
    ///
    /// - Throws: `LayerOrderError` naming the file when it cannot be read, exceeds 16 MiB, is not
    ///   valid JSON, is not an object, or has a `model_type` / `architectures` of the wrong type.
    public static func fromConfig(_ path: String) throws -> LayerOrder {
        let bytes = try readText(path, limit: 16 << 20, what: "config.json")
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch let e as JSONSyntaxError {
            throw LayerOrderError(file: path, message: "not valid JSON (\(e.message) at byte \(e.offset)); the layer order is read from it — fix it, remove it, or pass --order FILE")
        }
        guard case let .object(members) = json else {
            throw LayerOrderError(file: path, message: "not a JSON object (a model config is one)")
        }
        var modelType: String?
        var architectures: [String] = []
        for m in members {
            switch m.key {
            case "model_type":
                guard case let .string(s) = m.value else {
                    throw LayerOrderError(file: path, message: "'model_type' is \(m.value.typeName), not a string")
                }
                modelType = s
            case "architectures":
                guard case let .array(items) = m.value else {
                    if m.value == .null { continue }
                    throw LayerOrderError(file: path, message: "'architectures' is \(m.value.typeName), not a list of strings")
                }
                for item in items {
                    guard case let .string(s) = item else {
                        throw LayerOrderError(file: path, message: "'architectures' holds \(item.typeName), not a string")
                    }
                    architectures.append(s)
                }
            default: continue
            }
        }
        if let f = ModelFamily.detect(modelType: modelType, architectures: architectures) {
            return .family(f, config: path)
        }
        let what = modelType.map { "model_type '\($0)'" } ?? architectures.first.map { "architecture '\($0)'" } ?? "no model_type"
        return .natural(note: "\(path): \(what) is not a family htsr knows; pass --order FILE for the forward order")
    }

    /// The `config.json` that describes the checkpoint at `path`: inside it for a folder, else
    /// beside the file (a lone `.safetensors`, a shard index, an HDF5 file); nil when absent.
    public static func configFile(for path: String) -> String? {
        let folder = PathUtil.kind(path) == .directory ? path : PathUtil.directory(of: path)
        let candidate = PathUtil.join(folder, "config.json")
        return PathUtil.isRegularFile(candidate) ? candidate : nil
    }

    // MARK: --order FILE

    /// Reads an order file: one tensor name per line (surrounding spaces ignored, blank lines
    /// skipped), as `for n, _ in model.named_parameters(): print(n)` prints.
    ///
    /// - Throws: `LayerOrderError` naming the file: unreadable, over 64 MiB, not UTF-8, no name,
    ///   or a name listed twice (with both line numbers).
    public static func readList(_ path: String) throws -> [String] {
        let bytes = try readText(path, limit: 64 << 20, what: "order file")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LayerOrderError(file: path, message: "not UTF-8 text (an order file lists one parameter name per line)")
        }
        var names: [String] = []
        var firstLine: [String: Int] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty { continue }
            if let first = firstLine[name] {
                throw LayerOrderError(file: path, message: "line \(i + 1) repeats '\(name)' (first on line \(first)); each name must appear once")
            }
            firstLine[name] = i + 1
            names.append(name)
        }
        guard !names.isEmpty else {
            throw LayerOrderError(file: path, message: "lists no names (write one parameter name per line, as model.named_parameters() gives them)")
        }
        return names
    }

    /// The order of the file at `path` for a checkpoint whose tensors are `tensorNames`.
    ///
    /// Names may differ by a wrapper prefix on either side (the file printed from
    /// `GPT2LMHeadModel` says `transformer.h.0…` where the checkpoint says `h.0…`): the prefix
    /// that matches the most tensors is used and named in the note. Listed names the checkpoint
    /// lacks (a head it does not have) are ignored; the checkpoint's tensors the file does not
    /// list (buffers such as `position_ids`, tied copies) follow the listed ones in natural
    /// order, and the note counts them.
    /// - Throws: `LayerOrderError` for the file's own problems (see `readList`), or when no
    ///   listed name is a tensor of the checkpoint, even after removing a prefix.
    public static func fromFile(_ path: String, tensorNames: [String]) throws -> LayerOrder {
        let listed = try readList(path)
        let tensors = Set(tensorNames)
        // Candidate mappings listed name → tensor name: identity, drop a prefix the file has,
        // add a prefix the checkpoint has.
        var candidates: [(label: String?, map: (String) -> String?)] = [(nil, { $0 })]
        let filePrefixes = Set(listed.compactMap { n in n.firstIndex(of: ".").map { String(n[...$0]) } })
        for p in filePrefixes.sorted() {
            candidates.append(("'\(p)' removed from the file's names", { $0.hasPrefix(p) ? String($0.dropFirst(p.count)) : $0 }))
        }
        let tensorPrefixes = Set(tensorNames.compactMap { n in n.firstIndex(of: ".").map { String(n[...$0]) } })
        for p in tensorPrefixes.sorted() {
            candidates.append(("'\(p)' added to the file's names", { tensors.contains(p + $0) ? p + $0 : $0 }))
        }
        var best: (label: String?, names: [String], hits: Int) = (nil, [], 0)
        for c in candidates {
            let mapped = listed.compactMap(c.map)
            let hits = Set(mapped).intersection(tensors).count
            if hits > best.hits { best = (c.label, mapped, hits) }
        }
        guard best.hits > 0 else {
            throw LayerOrderError(file: path, message: "none of its \(listed.count) names is a tensor of the checkpoint (its first line is '\(listed[0])', the checkpoint's first tensor '\(tensorNames.first ?? "none")'); print the names of the model this checkpoint belongs to")
        }
        var seen = Set<String>()
        let names = best.names.filter { tensors.contains($0) && seen.insert($0).inserted }
        let unlisted = tensors.count - names.count
        var notes: [String] = []
        if let label = best.label { notes.append(label) }
        if unlisted > 0 { notes.append("\(unlisted) tensor(s) not listed, placed last") }
        return .listed(names, file: path, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    private static func readText(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        guard PathUtil.isRegularFile(path) else {
            throw LayerOrderError(file: path, message: PathUtil.kind(path) == .missing ? "no such file" : "not a regular file")
        }
        let reader = FileReader(path: path)
        let size: Int
        do { size = try reader.size() } catch { throw LayerOrderError(file: path, message: "cannot read the \(what): \(error)") }
        guard size <= limit else {
            throw LayerOrderError(file: path, message: "\(what) of \(size) bytes exceeds the limit of \(limit)")
        }
        do { return try reader.read(count: size, at: 0) } catch {
            throw LayerOrderError(file: path, message: "cannot read the \(what): \(error)")
        }
    }
}

/// A layer-order file (`config.json`, `--order FILE`) that cannot be used.
public struct LayerOrderError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let message: String
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}

// MARK: - Comparison keys

/// The module tree of a family: each node's children ranked in registration order; `#`
/// stands for any block index.
final class OrderTrie: Sendable {
    let children: [String: (rank: Int, node: OrderTrie)]

    private init(children: [String: (rank: Int, node: OrderTrie)]) { self.children = children }

    private final class Builder {
        var order: [String] = []
        var children: [String: Builder] = [:]
        func insert(_ path: ArraySlice<Substring>) {
            guard let first = path.first else { return }
            let key = String(first)
            if children[key] == nil { children[key] = Builder(); order.append(key) }
            children[key]!.insert(path.dropFirst())
        }
        func build() -> OrderTrie {
            var c: [String: (Int, OrderTrie)] = [:]
            for (i, k) in order.enumerated() { c[k] = (i, children[k]!.build()) }
            return OrderTrie(children: c)
        }
    }

    static func build(_ paths: [String]) -> OrderTrie {
        let b = Builder()
        for p in paths { b.insert(ArraySlice(p.split(separator: ".", omittingEmptySubsequences: false))) }
        return b.build()
    }

    private static let tries: [ModelFamily: OrderTrie] = Dictionary(
        uniqueKeysWithValues: ModelFamily.allCases.map { ($0, build($0.modules)) })

    static func of(_ family: ModelFamily) -> OrderTrie { tries[family]! }

    /// The child for component `c`: itself, or `#` when `c` is a block index.
    func child(_ c: Substring) -> (rank: Int, node: OrderTrie)? {
        if let hit = children[String(c)] { return hit }
        if !c.isEmpty, c.allSatisfy({ $0.isASCII && $0.isNumber }) { return children["#"] }
        return nil
    }
}

/// A name's sort key: one element per component (see `LayerOrder`).
struct NameKey: Comparable {
    /// class 0: a tensor of the module (its last component); 1: a known submodule; 2: an
    /// unknown one. Within a class: `rank` (registration order, or weight/bias/other for
    /// tensors), then `index` (a block number), then `text` in natural order.
    struct Element: Equatable {
        var cls: Int
        var rank: Int
        var index: Int
        var text: String

        static func < (a: Element, b: Element) -> Bool {
            if a.cls != b.cls { return a.cls < b.cls }
            if a.rank != b.rank { return a.rank < b.rank }
            if a.index != b.index { return a.index < b.index }
            return a.text != b.text && NaturalOrder.less(a.text, b.text)
        }
    }

    var elements: [Element] = []
    /// The wrapper prefix (`bert.`): a last tie-break, so a family's names sort by module first.
    var prefix = ""

    private init() {}

    static func tensor(_ c: Substring) -> Element {
        Element(cls: 0, rank: c == "weight" ? 0 : c == "bias" ? 1 : 2, index: 0, text: String(c))
    }

    static func unknown(_ c: Substring) -> Element { Element(cls: 2, rank: 0, index: 0, text: String(c)) }

    /// Natural order, component by component, a module's tensors before its submodules.
    init(natural name: String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        for (i, c) in parts.enumerated() { elements.append(i == parts.count - 1 ? Self.tensor(c) : Self.unknown(c)) }
    }

    /// The key of `name` in a family's tree; natural order when no component starts a family path.
    init(name: String, trie: OrderTrie) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard let start = parts.dropLast().firstIndex(where: { trie.children[String($0)] != nil }) else {
            self.init(natural: name)
            // Outside the family's table: after every known name.
            elements.insert(Element(cls: 3, rank: 0, index: 0, text: ""), at: 0)
            return
        }
        self.init()
        prefix = parts[..<start].joined(separator: ".")
        var node: OrderTrie? = trie
        for i in start..<parts.count {
            let c = parts[i]
            if i == parts.count - 1 { elements.append(Self.tensor(c)); break }
            if let n = node, let (rank, child) = n.child(c) {
                let isIndex = n.children[String(c)] == nil
                elements.append(Element(cls: 1, rank: rank, index: isIndex ? Int(c) ?? Int.max : 0, text: ""))
                node = child
            } else {
                elements.append(Self.unknown(c))
                node = nil
            }
        }
    }

    static func < (a: NameKey, b: NameKey) -> Bool {
        for (x, y) in zip(a.elements, b.elements) where x != y { return x < y }
        if a.elements.count != b.elements.count { return a.elements.count < b.elements.count }
        return a.prefix != b.prefix && NaturalOrder.less(a.prefix, b.prefix)
    }
}
