import Train

extension FNOBalance {
    /// A layer's eigenvalue count before any zero filtering, from its shapes: min(O, I) for a
    /// matrix layer (`fc*` [O, I], `w*` [O, I, 1…]; the squared row norms of `row-norms` are O
    /// values), Σ over its corner tensors [I, O, m…, 2] of (modes × min(I, O)) for a spectral layer.
    /// The uniform control uses it to balance the layers TempBalance would (fc2 falls short).
    public static func eigenvalueCount(_ layer: String, parameters: ParameterSet<Float>, options: FNOBalanceOptions = FNOBalanceOptions()) -> Int {
        if layer.hasPrefix("conv") {
            return parameters.entries.filter { $0.module == layer }.reduce(0) { n, e in
                n + e.shape.dropFirst(2).dropLast().reduce(1, *) * min(e.shape[0], e.shape[1])
            }
        }
        let s = parameters.entry(layer + ".weight").shape
        if layer.hasPrefix("w") && options.convAnalysis == .rowNorms { return s[0] }
        return min(s[0], s.dropFirst().reduce(1, *))
    }
}
