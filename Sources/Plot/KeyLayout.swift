import Foundation

/// Text sizes as gnuplot lays them out, from the font size. All three terminals draw at 72
/// units per inch, so a point is a pixel of the figure size. gnuplot sizes a key by counting
/// characters (markup removed) times its character width: about 0.82–0.88 em for DejaVu at
/// 8–11 pt with cairo (measured on rendered keys), less with svg; rows are about 1.86 em apart at
/// `spacing 1.2`. The estimates here round up, so a key judged to fit does.
struct TextMetrics: Sendable, Equatable {
    /// Pixels per em: the font size in points.
    var em: Double
    init(_ font: FontSpec) { em = font.points }
    /// gnuplot's width of one character, rounded up.
    var charWidth: Double { 0.9 * em }
    /// The height of one key row.
    var rowHeight: Double { 1.9 * em }
    /// Characters a key entry adds to its text: the sample (`samplen 2.5`) and the gaps.
    static let keyExtraChars = 5.5
    /// The width of rendered text per character, rounded up (DejaVu Sans averages about
    /// 0.6 em, DejaVu Serif 0.63).
    var textWidth: Double { 0.7 * em }

    /// The width of a column of a key outside the plot: gnuplot's estimate, (characters −
    /// shrink + 5.33) character widths, with its character width rounded up. The shrink brings
    /// gnuplot's generous estimate (0.85 em per character) close to the rendered width (at most
    /// 0.63 em per character, plus the sample and a gap: K ≤ 0.26·n + 1.68 keeps the column at
    /// least that wide), so that keys neither wrap nor warn when they fit.
    func belowColumnWidth(_ widestChars: Int) -> Double {
        (Double(widestChars - Self.belowShrink(widestChars)) + 5.33) * charWidth
    }
    static func belowShrink(_ widestChars: Int) -> Int { Int(0.25 * Double(widestChars)) + 1 }
    /// The most characters of a key text that fit in one column under a plot `width` wide
    /// (gnuplot fits the columns of a key below the plot into the plot's width).
    func belowLimit(_ width: Double) -> Int { max(12, Int((width / charWidth - 4.33) / 0.75)) }

    /// The characters gnuplot counts for an enhanced-mode string: markup (`_{…}`, `^{…}`, `@`,
    /// `&{…}`, braces, escaping backslashes) removed, every other character one (`λ` included).
    static func displayLength(_ markup: String) -> Int {
        var n = 0
        var escaped = false
        for ch in markup {
            if escaped { n += 1; escaped = false; continue }
            switch ch {
            case "\\": escaped = true
            case "_", "^", "{", "}", "@", "&", "~": continue
            default: n += 1
            }
        }
        return n
    }
}

/// Where a key is drawn, once the figure's size and font are known.
enum ResolvedKey: Sendable, Equatable {
    enum Corner: Sendable, Equatable, CaseIterable { case topRight, topLeft, bottomRight, bottomLeft }
    case inside(Corner)
    /// Right of the plot; the key is `width` pixels wide (for equal right margins in a stack),
    /// gnuplot's estimate reduced by `shrink` characters as below.
    case right(width: Double, shrink: Int)
    /// Below the plot in `columns` columns; gnuplot's width estimate of an entry is reduced by
    /// `shrink` characters (see `TextMetrics.belowColumnWidth`).
    case below(columns: Int, shrink: Int)
    case none

    /// The room a key below the plot takes besides its rows, in ems: gnuplot's gap and the
    /// key's `height 1` (about 1.2 em).
    static let belowPadding = 2.2
}

/// The size of one panel of a figure and the text in it.
struct PanelGeometry: Sendable, Equatable {
    /// The panel's share of the figure, in pixels (points).
    var width: Double
    var height: Double
    var metrics: TextMetrics
    var titleLines: Int
    var hasColorBox: Bool
    /// The left margin: fixed in a stack of panels (`set lmargin 12`), else estimated from the
    /// y tic labels (`leftMargin(yTicChars:)`).
    var leftMargin: Double

    /// gnuplot's automatic left margin, estimated on the large side: the y label, the widest y tic
    /// label (`yTicChars` characters), the tics and gaps.
    static func leftMargin(yTicChars: Int, hasLabel: Bool, _ m: TextMetrics) -> Double {
        (hasLabel ? 2.2 * m.em : 0.5 * m.em) + Double(yTicChars) * m.textWidth + 2.2 * m.em
    }

    /// The plot area: the panel less gnuplot's margins (the left one as above, the tic labels and
    /// the axis label at the bottom, the title on top), estimated on the large side, so that the
    /// key's share of the plot area is estimated on the large side too.
    var plotWidth: Double {
        max(1, width - leftMargin - 2 * metrics.charWidth - (hasColorBox ? 9 * metrics.em : 0))
    }
    var plotHeight: Double {
        max(1, height - 5.5 * metrics.em - (titleLines > 0 ? Double(titleLines) * 2 * metrics.em + 2.5 * metrics.em : 1.5 * metrics.em))
    }
}

/// Places keys where they cover no data: a free inside corner when there is one, else outside
/// the plot (right or below, whichever leaves the larger plot). Pure, so the choice is part of
/// the snapshot-tested script.
enum KeyLayout {
    /// The key of `panel` with `rows` rows whose widest text counts `widestChars` characters.
    static func resolve(_ panel: Panel, rows: Int, widestChars: Int, in g: PanelGeometry) -> ResolvedKey {
        guard rows > 0, panel.key != .none else { return .none }
        let m = g.metrics
        let keyWidth = (Double(widestChars) + TextMetrics.keyExtraChars) * m.charWidth
        let keyHeight = Double(rows) * m.rowHeight + 0.6 * m.em
        let corners: [ResolvedKey.Corner]
        switch panel.key {
        case .auto: corners = ResolvedKey.Corner.allCases
        case .topRight: corners = [.topRight, .topLeft, .bottomRight, .bottomLeft]
        case .topLeft: corners = [.topLeft, .topRight, .bottomLeft, .bottomRight]
        case .bottomRight: corners = [.bottomRight, .bottomLeft, .topRight, .topLeft]
        case .bottomLeft: corners = [.bottomLeft, .bottomRight, .topLeft, .topRight]
        case .outside, .outsideRight, .below, .none: corners = []
        }
        if !corners.isEmpty {
            let occupied = Occupancy(panel, plotWidth: g.plotWidth, plotHeight: g.plotHeight, em: m.em)
            for corner in corners {
                let box = cornerBox(corner, width: keyWidth + m.charWidth, height: keyHeight, in: g)
                if box.x0 >= 0, box.y0 >= 0, box.x1 <= g.plotWidth, box.y1 <= g.plotHeight, !occupied.intersects(box) {
                    return .inside(corner)
                }
            }
        }
        let column = m.belowColumnWidth(widestChars), shrink = TextMetrics.belowShrink(widestChars)
        let columns = max(1, min(rows, Int(g.plotWidth / column)))
        let below = ResolvedKey.below(columns: columns, shrink: shrink)
        let right = ResolvedKey.right(width: column, shrink: shrink)
        switch panel.key {
        case .outsideRight: return right
        case .below: return below
        default:
            // Right only if the plot keeps 60% of the width, the key's rows fit its height (else
            // gnuplot adds columns), and the plot keeps more area than with the key below.
            let rightWidth = g.plotWidth - column
            let belowRows = (rows + columns - 1) / columns
            let belowHeight = g.plotHeight - (Double(belowRows) * m.rowHeight + ResolvedKey.belowPadding * m.em)
            if rightWidth >= 0.6 * g.width, Double(rows) * m.rowHeight <= g.plotHeight,
               rightWidth * g.plotHeight > g.plotWidth * belowHeight { return right }
            return below
        }
    }

    /// The key's rectangle in a corner of the plot area (pixels from the bottom-left corner).
    static func cornerBox(_ c: ResolvedKey.Corner, width: Double, height: Double, in g: PanelGeometry) -> Rect {
        let pad = 0.3 * g.metrics.em
        let top = c == .topRight || c == .topLeft, right = c == .topRight || c == .bottomRight
        let x0 = right ? g.plotWidth - width - pad : 0
        let y0 = top ? g.plotHeight - height - pad : 0
        return Rect(x0: x0, y0: y0, x1: x0 + width + pad, y1: y0 + height + pad)
    }

    /// The short form of a key text: up to its first ", " (`KS fit: α = 2.46, D = …` → `KS fit: α = 2.46`).
    static func short(_ text: String) -> String {
        text.range(of: ", ").map { String(text[..<$0.lowerBound]) } ?? text
    }

    /// Splits a key text longer than `limit` characters at its ", " separators (each later line
    /// indented by two spaces); a text without separators stays whole.
    static func wrap(_ text: String, limit: Int) -> [String] {
        guard TextMetrics.displayLength(text) > limit else { return [text] }
        let parts = text.components(separatedBy: ", ")
        guard parts.count > 1 else { return [text] }
        var lines: [String] = []
        var current = parts[0]
        for part in parts.dropFirst() {
            let candidate = current + ", " + part
            if TextMetrics.displayLength(candidate) + 1 <= limit {
                current = candidate
            } else {
                lines.append(current + ",")
                current = "  " + part
            }
        }
        lines.append(current)
        return lines
    }
}

/// An axis-aligned rectangle in pixels.
struct Rect: Sendable, Equatable {
    var x0, y0, x1, y1: Double
    func contains(_ x: Double, _ y: Double) -> Bool { x >= x0 && x <= x1 && y >= y0 && y <= y1 }
}

/// What a panel draws, as shapes in pixels of its plot area: segments (lines, reference lines,
/// error bars, impulses), filled rectangles (histogram bars, heatmap cells, bands between
/// curves) and points (with their radius).
struct Occupancy {
    private(set) var segments: [(Double, Double, Double, Double)] = []
    private(set) var rects: [Rect] = []
    /// Centre and radius.
    private(set) var points: [(Double, Double, Double)] = []
    /// Pixels of radius per unit of gnuplot's point size (`ps 1`: about 0.28 em).
    let pointScale: Double

    /// Maps data to [0, 1] on an axis: its fixed limits, or the data's extent when autoscaled.
    struct AxisMap {
        var lo: Double, hi: Double, log: Bool
        init(_ axis: Axis, values: [Double]) {
            let log = axis.scale == .log
            func mapped(_ v: Double) -> Double { log ? Foundation.log10(Swift.max(v, .leastNormalMagnitude)) : v }
            let usable = values.filter { $0.isFinite && (!log || $0 > 0) }.map(mapped)
            var lo = axis.min.map(mapped) ?? usable.min() ?? 0
            var hi = axis.max.map(mapped) ?? usable.max() ?? 1
            if !(hi > lo) { lo -= 0.5; hi = lo + 1 }
            self.lo = lo
            self.hi = hi
            self.log = log
        }
        /// The position in [0, 1] (outside for values beyond the range); nil where a log axis has none.
        func callAsFunction(_ v: Double) -> Double? {
            guard v.isFinite, !log || v > 0 else { return nil }
            return ((log ? Foundation.log10(v) : v) - lo) / (hi - lo)
        }
    }

    init(_ panel: Panel, plotWidth w: Double, plotHeight h: Double, em: Double) {
        pointScale = 0.28 * em
        let series = panel.series.filter { !$0.isEmpty }
        let xm = AxisMap(panel.x, values: series.flatMap { Self.values($0, x: true) })
        let ym = AxisMap(panel.y, values: series.flatMap { Self.values($0, x: false) })
        func px(_ x: Double) -> Double? { xm(x).map { $0 * w } }
        func py(_ y: Double) -> Double? { ym(y).map { $0 * h } }
        // The foot of bars and impulses: y = 0, or the bottom edge when 0 is not on the axis.
        let foot = ym.log ? 0 : Swift.min(Swift.max(py(0) ?? 0, 0), h)
        for s in series {
            switch s.data {
            case let .function(_, from, to):
                if let t = s.trace, t.count == 2 {
                    addPolyline(t[0], t[1], px, py)
                } else if let a = px(from), let b = px(to) {
                    rects.append(Rect(x0: Swift.min(a, b), y0: 0, x1: Swift.max(a, b), y1: h))
                }
            case let .columns(c):
                switch s.style {
                case .lines: addPolyline(c[0], c[1], px, py)
                case let .points(_, _, size): addPoints(c[0], c[1], size, px, py)
                case let .linesPoints(_, _, size):
                    addPolyline(c[0], c[1], px, py)
                    addPoints(c[0], c[1], size, px, py)
                case .impulses:
                    for (x, y) in zip(c[0], c[1]) { if let a = px(x), let b = py(y) { segments.append((a, foot, a, b)) } }
                case .boxes:
                    for r in c[0].indices {
                        if let a = px(c[0][r] - c[2][r] / 2), let b = px(c[0][r] + c[2][r] / 2), let top = py(c[1][r]) {
                            rects.append(Rect(x0: a, y0: Swift.min(foot, top), x1: b, y1: Swift.max(foot, top)))
                        }
                    }
                case .paletteBoxes:
                    for r in c[0].indices {
                        if let a = px(c[2][r]), let b = px(c[3][r]), let lo = py(c[4][r]), let hi = py(c[5][r]) {
                            rects.append(Rect(x0: a, y0: lo, x1: b, y1: hi))
                        }
                    }
                case let .errorBars(_, _, size), let .intervals(_, _, size):
                    if case .errorBars = s.style { addPolyline(c[0], c[1], px, py) }
                    addPoints(c[0], c[1], size, px, py)
                    for r in c[0].indices {
                        if let a = px(c[0][r]), let lo = py(c[2][r]), let hi = py(c[3][r]) { segments.append((a, lo, a, hi)) }
                    }
                case .band:
                    for r in c[0].indices.dropLast() {
                        let ys = [c[1][r], c[2][r], c[1][r + 1], c[2][r + 1]].compactMap(py)
                        if ys.count == 4, let a = px(c[0][r]), let b = px(c[0][r + 1]) {
                            rects.append(Rect(x0: Swift.min(a, b), y0: ys.min()!, x1: Swift.max(a, b), y1: ys.max()!))
                        }
                    }
                }
            }
        }
        for l in panel.verticalLines { if let a = px(l.value) { segments.append((a, 0, a, h)) } }
        for l in panel.horizontalLines { if let b = py(l.value) { segments.append((0, b, w, b)) } }
    }

    /// The values a series puts on the x or y axis (for autoscaled axes).
    static func values(_ s: Series, x: Bool) -> [Double] {
        switch s.data {
        case let .function(_, from, to): return x ? [from, to] : (s.trace.map { $0.count == 2 ? $0[1] : [] } ?? [])
        case let .columns(c):
            switch s.style {
            case .lines, .points, .linesPoints, .impulses: return x ? c[0] : c[1]
            case .boxes:
                guard x else { return c[1] }
                let left: [Double] = zip(c[0], c[2]).map { $0 - $1 / 2 }
                let right: [Double] = zip(c[0], c[2]).map { $0 + $1 / 2 }
                return left + right
            case .paletteBoxes: return x ? Array(c[2...3].joined()) : Array(c[4...5].joined())
            case .errorBars, .intervals: return x ? c[0] : Array(c[1...3].joined())
            case .band: return x ? c[0] : Array(c[1...2].joined())
            }
        }
    }

    private mutating func addPolyline(_ xs: [Double], _ ys: [Double], _ px: (Double) -> Double?, _ py: (Double) -> Double?) {
        var last: (Double, Double)?
        for (x, y) in zip(xs, ys) {
            guard let a = px(x), let b = py(y) else { last = nil; continue }
            if let l = last { segments.append((l.0, l.1, a, b)) } else { points.append((a, b, 0)) }
            last = (a, b)
        }
    }

    private mutating func addPoints(_ xs: [Double], _ ys: [Double], _ size: Double, _ px: (Double) -> Double?, _ py: (Double) -> Double?) {
        for (x, y) in zip(xs, ys) { if let a = px(x), let b = py(y) { points.append((a, b, size * pointScale)) } }
    }

    /// Whether anything drawn touches `box`.
    func intersects(_ box: Rect) -> Bool {
        if points.contains(where: { p in
            Rect(x0: box.x0 - p.2, y0: box.y0 - p.2, x1: box.x1 + p.2, y1: box.y1 + p.2).contains(p.0, p.1)
        }) { return true }
        if rects.contains(where: { $0.x0 <= box.x1 && $0.x1 >= box.x0 && $0.y0 <= box.y1 && $0.y1 >= box.y0 }) { return true }
        return segments.contains { Self.segment($0, crosses: box) }
    }

    /// Liang–Barsky clipping: whether the segment has a point inside `r`.
    static func segment(_ s: (Double, Double, Double, Double), crosses r: Rect) -> Bool {
        let (x0, y0, x1, y1) = s
        let dx = x1 - x0, dy = y1 - y0
        var t0 = 0.0, t1 = 1.0
        for (p, q) in [(-dx, x0 - r.x0), (dx, r.x1 - x0), (-dy, y0 - r.y0), (dy, r.y1 - y0)] {
            if p == 0 {
                if q < 0 { return false }
            } else {
                let t = q / p
                if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
                if t0 > t1 { return false }
            }
        }
        return true
    }
}
