/// A prefix tree over the Unicode scalars of a vocabulary's tokens, for greedy longest-match.
///
/// Edges live in one open-addressing hash table keyed by `node << 21 | scalar` (a scalar needs 21
/// bits), so a step is one multiplication and, usually, one probe. Node 0 is the root.
struct TokenTrie: Sendable {
    private let keys: [UInt64]
    private let targets: [Int32]
    private let mask: Int
    /// The token id ending at each node, -1 where none does.
    private let tokenIDs: [Int32]

    static let root: Int32 = 0
    private static let empty = UInt64.max

    init(_ entries: [(token: String, id: Int32)]) {
        var edges: [UInt64: Int32] = [:]
        var ids: [Int32] = [-1]
        for e in entries {
            var node: Int32 = 0
            for s in e.token.unicodeScalars {
                let key = UInt64(node) << 21 | UInt64(s.value)
                if let next = edges[key] {
                    node = next
                } else {
                    let next = Int32(ids.count)
                    ids.append(-1)
                    edges[key] = next
                    node = next
                }
            }
            ids[Int(node)] = e.id
        }
        var size = 16
        while size < 2 * edges.count { size *= 2 }
        var keys = [UInt64](repeating: Self.empty, count: size)
        var targets = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for (key, target) in edges {
            var slot = Self.slot(key, mask)
            while keys[slot] != Self.empty { slot = (slot + 1) & mask }
            keys[slot] = key
            targets[slot] = target
        }
        self.keys = keys
        self.targets = targets
        self.mask = mask
        self.tokenIDs = ids
    }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The node reached from `node` by `scalar`, or -1.
    @inline(__always) func child(_ node: Int32, _ scalar: UInt32) -> Int32 {
        let key = UInt64(node) << 21 | UInt64(scalar)
        var slot = Self.slot(key, mask)
        while true {
            let k = keys[slot]
            if k == key { return targets[slot] }
            if k == Self.empty { return -1 }
            slot = (slot + 1) & mask
        }
    }

    /// The token id ending at `node`, or -1.
    @inline(__always) func tokenID(_ node: Int32) -> Int32 { tokenIDs[Int(node)] }

    /// The node reached from the root by `prefix`, or -1.
    func node(for prefix: String) -> Int32 {
        var node = Self.root
        for s in prefix.unicodeScalars {
            node = child(node, s.value)
            if node < 0 { return -1 }
        }
        return node
    }
}
