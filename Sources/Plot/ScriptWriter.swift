import Foundation

/// Where and how a figure is rendered.
public struct RenderSettings: Sendable, Equatable {
    public var format: ImageFormat
    public var size: FigureSize
    public var font: FontSpec
    /// Whether panels carry their titles (a paper's caption usually replaces them).
    public var titles: Bool

    public init(format: ImageFormat = .png, size: FigureSize = .default, font: FontSpec = .default, titles: Bool = true) {
        self.format = format
        self.size = size
        self.font = font
        self.titles = titles
    }

    /// The size of lines and points relative to the default 11-point figure: everything scales
    /// with the font, so a small print figure looks like the screen one, only smaller.
    public var scale: Double { font.points / FontSpec.default.points }
}

/// Turns a `Figure` into a gnuplot script: a pure function of the figure, the settings and the
/// output path, so scripts are snapshot-tested without running gnuplot.
public enum ScriptWriter {
    /// The whole script for one figure: terminal, output, the shared style, the panels, and
    /// `unset output` (which closes the file).
    public static func script(for figure: Figure, settings: RenderSettings, output path: String) -> GnuplotScript {
        var s = GnuplotScript()
        s.line("# htsr figure: \(figure.name)")
        s.line(terminal(settings, heightScale: figure.heightScale))
        s.line("set output \(quoted(path))")
        s.line("reset")
        s.line(commonStyle)
        let size = settings.size.scalingHeight(figure.heightScale)
        let width = Double(size.pixelWidth), height = Double(size.pixelHeight), n = Double(figure.panels.count)
        let stacked = figure.panels.count > 1
        var texts = figure.panels.map { PanelText($0, settings: settings, width: width, height: height / n, stacked: stacked) }
        // Stacked panels share the height so that their plots are equally tall: a panel with a
        // key below it gets the key's height on top of its share.
        let extra = texts.map(\.belowHeight)
        let share = (height - extra.reduce(0, +)) / n
        let heights = extra.map { share + $0 }
        if stacked {
            texts = zip(figure.panels, heights).map { PanelText($0, settings: settings, width: width, height: $1, stacked: true) }
            s.line("set multiplot")
            s.line("set lmargin 12")
            // Equal plot widths: every panel keeps the right margin of the widest key on the right.
            let widths = texts.compactMap { t -> Double? in if case let .right(w, _) = t.key { return w } else { return nil } }
            if let w = widths.max() { s.line("set rmargin \(Int((w / TextMetrics(settings.font).charWidth).rounded(.up)) + 1)") }
        }
        var top = 1.0
        for (i, panel) in figure.panels.enumerated() {
            if i > 0 { s.line(panelReset) }
            if stacked {
                let h = heights[i] / height
                top -= h
                s.line("set origin 0,\(rounded4(max(0, top)))")
                s.line("set size 1,\(rounded4(h))")
            }
            write(panel, text: texts[i], settings: settings, into: &s)
        }
        if stacked { s.line("unset multiplot") }
        s.line("unset output")
        return s
    }

    /// The terminal line: pngcairo, svg or pdfcairo at the requested size and font. The three
    /// draw alike at 72 units per inch: a line of width 1 is 1 unit wide in pngcairo and svg and
    /// 0.5 pt in pdfcairo (hence its `linewidth 2`), and pdfcairo scales fonts by 0.5 unless told
    /// `fontscale 1`. Line widths follow the font size (`RenderSettings.scale`).
    static func terminal(_ r: RenderSettings, heightScale: Double) -> String {
        let size = r.size.scalingHeight(heightScale)
        let font = "font \(quoted(r.font.gnuplot))"
        func common(fontScale: Bool, lineWidth: Double) -> String {
            "enhanced \(font)\(fontScale ? " fontscale 1" : "") background rgb 'white' linewidth \(rounded(lineWidth)) rounded"
        }
        switch r.format {
        case .png: return "set terminal pngcairo size \(size.pixelWidth),\(size.pixelHeight) \(common(fontScale: false, lineWidth: r.scale))"
        case .svg: return "set terminal svg size \(size.pixelWidth),\(size.pixelHeight) \(common(fontScale: true, lineWidth: r.scale))"
        case .pdf:
            return "set terminal pdfcairo size \(fixed(size.inchWidth))in,\(fixed(size.inchHeight))in \(common(fontScale: true, lineWidth: 2 * r.scale))"
        }
    }

    /// The factor on point sizes: the font's scale in pngcairo and pdfcairo; 0.65 in svg, whose
    /// points already grow with the font (at 11 pt they are 1.53 times cairo's at the same `ps`).
    static func pointScale(_ r: RenderSettings) -> Double { r.format == .svg ? 0.65 : r.scale }

    /// Four decimals, for screen fractions.
    static func rounded4(_ x: Double) -> String { formatNumber((x * 10_000).rounded() / 10_000) }

    /// Two decimals, for scaled widths and sizes.
    static func rounded(_ x: Double) -> String { formatNumber((x * 100).rounded() / 100) }

    private static func fixed(_ x: Double) -> String { String(format: "%.3f", x) }

    /// Settings shared by every figure (the consistent style).
    static let commonStyle = """
        set encoding utf8
        set minussign
        set border 3 lw 1 lc rgb '#404040'
        set tics nomirror out scale 0.6 textcolor rgb '#202020'
        set grid back lc rgb '#E3E3E3' lw 1 dt 1
        set key noopaque samplen 2.5 spacing 1.2 textcolor rgb '#202020'
        set style fill solid 1.0 noborder
        set samples 400
        """

    /// Clears what one panel may have set before the next panel of a multiplot.
    static let panelReset = """
        unset arrow
        unset object
        unset label
        unset logscale
        unset title
        unset colorbox
        set xrange [*:*]
        set yrange [*:*]
        set xtics autofreq norotate
        set ytics autofreq norotate
        set format x '% h'
        set format y '% h'
        set mxtics default
        set mytics default
        """

    static func write(_ panel: Panel, text: PanelText, settings: RenderSettings, into s: inout GnuplotScript) {
        if !text.title.isEmpty { s.line("set title \(quotedLines(text.title))") }
        let series = panel.series.filter { !$0.isEmpty }
        guard !series.isEmpty else {
            // Nothing to draw: the axes' labels and the reason, on plain unit axes.
            s.line("set xlabel \(quoted(panel.x.label))")
            s.line("set ylabel \(quoted(panel.y.label))")
            s.line("unset key")
            s.line("set format x ''")
            s.line("set format y ''")
            s.line("set label 1 \(quoted(panel.emptyMessage)) at graph 0.5, graph 0.5 center")
            s.line("plot [0:1] [0:1] NaN notitle")
            return
        }
        let m = TextMetrics(settings.font)
        axis(panel.x, name: "x", length: text.plotWidth, values: series.flatMap { Occupancy.values($0, x: true) }, metrics: m, into: &s)
        axis(panel.y, name: "y", length: text.plotHeight, values: series.flatMap { Occupancy.values($0, x: false) }, metrics: m, into: &s)
        s.line(key(text.key))
        for (i, band) in panel.bands.enumerated() {
            let from = band.from.map { "first \(formatNumber($0))" } ?? "graph 0"
            let to = band.to.map { "first \(formatNumber($0))" } ?? "graph 1"
            s.line("set object \(i + 1) rect from graph 0, \(from) to graph 1, \(to) fc rgb '\(band.color.hex)' fs transparent solid \(formatNumber(band.opacity)) noborder behind")
        }
        var arrow = 0
        for line in panel.verticalLines {
            arrow += 1
            s.line("set arrow \(arrow) from first \(formatNumber(line.value)), graph 0 to first \(formatNumber(line.value)), graph 1 nohead \(lineOptions(line.style)) front")
        }
        for line in panel.horizontalLines {
            arrow += 1
            s.line("set arrow \(arrow) from graph 0, first \(formatNumber(line.value)) to graph 1, first \(formatNumber(line.value)) nohead \(lineOptions(line.style)) front")
        }
        if let scale = panel.colorScale {
            let stops = Style.heatmapPalette.enumerated().map { i, hex in
                "\(formatNumber(Double(i) / Double(Style.heatmapPalette.count - 1))) '\(hex)'"
            }
            s.line("set palette defined (\(stops.joined(separator: ", ")))")
            s.line("set cbrange [\(formatNumber(scale.min)):\(formatNumber(scale.max))]")
            s.line("set cblabel \(quoted(fitting(scale.label, length: text.plotHeight, m)))")
            s.line("set colorbox")
        }
        // A key text too long for the figure is split over rows; the rows after the first are
        // entries without a sample, right after their own.
        func continuation(_ lines: [String]) -> [String] {
            lines.dropFirst().map { "keyentry with lines lt nodraw title \(quoted($0))" }
        }
        var elements: [String] = []
        var blocks: [DataBlock] = []
        for (item, lines) in zip(series, text.seriesKey) {
            let (element, block) = plotElement(item, title: lines.first, first: elements.isEmpty, pointScale: pointScale(settings))
            elements.append(element)
            elements += continuation(lines)
            if let block { blocks.append(block) }
        }
        for (entry, lines) in zip(panel.keyEntries, text.entryKey) {
            switch entry.mark {
            case let .line(style): elements.append("keyentry with lines \(lineOptions(style)) title \(quoted(lines[0]))")
            case let .fill(color, opacity):
                elements.append("keyentry with boxes fs transparent solid \(formatNumber(opacity)) fc rgb '\(color.hex)' title \(quoted(lines[0]))")
            }
            elements += continuation(lines)
        }
        s.line("plot " + elements.joined(separator: ", \\\n     "))
        for b in blocks { s.append(b) }
    }

    /// An axis label that fits along a plot `length` long: as is, or without its trailing
    /// parenthetical (`layer (forward order)` → `layer`) when it is longer than the plot.
    /// Then, if still too long, the part before its `: ` (`TempBalance: layer` → `TempBalance`).
    static func fitting(_ label: String, length: Double, _ m: TextMetrics) -> String {
        func fits(_ text: String) -> Bool { Double(TextMetrics.displayLength(text)) * m.textWidth <= length }
        var label = label
        if !fits(label), label.hasSuffix(")"), let open = label.range(of: " (", options: .backwards) {
            label = String(label[..<open.lowerBound]).trimmingCharacters(in: .whitespaces)
        }
        if !fits(label), let colon = label.range(of: ": ") { label = String(label[..<colon.lowerBound]) }
        return label
    }

    /// `'line 1'."\n".'line 2'`: a gnuplot string expression of several lines.
    static func quotedLines(_ lines: [String]) -> String { lines.map(quoted).joined(separator: ".\"\\n\".") }

    /// An axis: label, range, log scale and tics. `length` is the plot's estimated extent along
    /// it and `values` the data on it (for an autoscaled range): tics are spread when gnuplot's
    /// automatic ones would crowd their labels (`TicSpacing`).
    static func axis(_ a: Axis, name: String, length: Double, values: [Double], metrics m: TextMetrics, into s: inout GnuplotScript) {
        s.line("set \(name)label \(quoted(fitting(a.label, length: length, m)))")
        let lo = a.min.map(formatNumber) ?? "*"
        let hi = a.max.map(formatNumber) ?? "*"
        s.line("set \(name)range [\(lo):\(hi)]")
        let range = Occupancy.AxisMap(a, values: values)
        let horizontal = name == "x"
        if a.scale == .log {
            s.line("set logscale \(name) 10")
            // Powers of ten read best when the axis spans two decades or more.
            let wide = a.min.flatMap { lo in a.max.map { hi in hi / lo >= 100 } } ?? true
            s.line("set format \(name) \(wide ? "'10^{%L}'" : "'%g'")")
            s.line("set m\(name)tics 10")
            if a.tics == nil, wide,
               let k = TicSpacing.logDecades(lo: pow(10, range.lo), hi: pow(10, range.hi), length: length, horizontal: horizontal, m) {
                s.line("set \(name)tics \(formatNumber(pow(10, Double(k))))")
                s.line("set m\(name)tics \(k)")
            }
        } else if a.tics == nil, let step = TicSpacing.linearStep(lo: range.lo, hi: range.hi, length: length, horizontal: horizontal, m) {
            s.line("set \(name)tics \(formatNumber(step))")
        }
        if let tics = a.tics {
            let list = tics.map { "\(quoted($0.label)) \(formatNumber($0.value))" }.joined(separator: ", ")
            s.line("set \(name)tics (\(list))")
        }
    }

    static func key(_ k: ResolvedKey) -> String {
        switch k {
        case .inside(.topRight): return "set key inside top right opaque box lc rgb '#D0D0D0'"
        case .inside(.topLeft): return "set key inside top left opaque box lc rgb '#D0D0D0'"
        case .inside(.bottomRight): return "set key inside bottom right opaque box lc rgb '#D0D0D0'"
        case .inside(.bottomLeft): return "set key inside bottom left opaque box lc rgb '#D0D0D0'"
        case let .right(_, shrink): return "set key outside right top vertical Left reverse noopaque nobox\(shrink > 0 ? " width -\(shrink)" : "")"
        case let .below(columns, shrink):
            // `height 1`: a line's room more, split above and below the entries, so that the
            // first row does not touch the x label that gnuplot puts right above the key.
            return "set key below center horizontal Left reverse noopaque nobox maxcols \(columns)\(shrink > 0 ? " width -\(shrink)" : "") height 1"
        case .none: return "unset key"
        }
    }

    static func lineOptions(_ l: LineStyle) -> String {
        "lc rgb '\(l.color.hex)' lw \(formatNumber(l.width)) dt \(dashType(l.dash))"
    }

    static func dashType(_ d: Dash) -> String {
        switch d {
        case .solid: return "solid"
        case .dashed: return "(8,5)"
        case .dotted: return "(2,4)"
        case .dashDot: return "(8,4,2,4)"
        }
    }

    static func plotElement(_ series: Series, title: String?, first: Bool, pointScale: Double) -> (String, DataBlock?) {
        let title = title.map { "title \(quoted($0))" } ?? "notitle"
        func ps(_ size: Double) -> String { rounded(size * pointScale) }
        let with: String
        switch series.style {
        case let .lines(l): with = "with lines \(lineOptions(l))"
        case let .points(c, shape, size):
            with = "with points pt \(shape.rawValue) ps \(ps(size)) lc rgb '\(c.hex)'"
        case let .linesPoints(l, shape, size):
            with = "with linespoints \(lineOptions(l)) pt \(shape.rawValue) ps \(ps(size))"
        case let .impulses(l): with = "with impulses \(lineOptions(l))"
        case let .boxes(fill, opacity):
            with = "with boxes fs solid \(formatNumber(opacity)) noborder fc rgb '\(fill.hex)'"
        case .paletteBoxes: with = "with boxxyerror fs solid 1 noborder fc palette"
        case let .errorBars(l, shape, size):
            with = "with yerrorlines \(lineOptions(l)) pt \(shape.rawValue) ps \(ps(size))"
        case let .intervals(c, shape, size):
            with = "with yerrorbars lc rgb '\(c.hex)' lw 2 pt \(shape.rawValue) ps \(ps(size))"
        case let .band(c, opacity):
            with = "with filledcurves fs transparent solid \(formatNumber(opacity)) noborder fc rgb '\(c.hex)'"
        }
        switch series.data {
        case let .function(expression, from, to):
            let range = "[x=\(formatNumber(from)):\(formatNumber(to))]"
            return ("\(first ? "sample " : "")\(range) \(expression) \(with) \(title)", nil)
        case let .columns(columns):
            precondition(columns.count == series.style.columnCount, "\(series.style) reads \(series.style.columnCount) columns")
            let block = DataBlock(columns: columns)
            let using = (1...columns.count).map(String.init).joined(separator: ":")
            return ("'-' binary \(block.formatClause) using \(using) \(with) \(title)", block)
        }
    }
}

/// A panel's text laid out for the figure's size and font: the title's lines, each key entry's
/// rows (long ones split), and where the key goes.
struct PanelText: Sendable, Equatable {
    var title: [String]
    /// One list of rows per non-empty series (empty for a series without a key entry).
    var seriesKey: [[String]]
    /// One list of rows per `keyEntries` element.
    var entryKey: [[String]]
    var key: ResolvedKey

    /// The plot area's estimated size once the title and the key have their room (for tic spacing).
    var plotWidth: Double
    var plotHeight: Double
    /// The height of the key when it is below the plot, else 0.
    var belowHeight: Double = 0

    init(_ panel: Panel, settings: RenderSettings, width: Double, height: Double, stacked: Bool = false) {
        let m = TextMetrics(settings.font)
        title = settings.titles ? panel.title.map { Self.wrapTitle($0, limit: Int(width / m.textWidth) - 2) } ?? [] : []
        let series = panel.series.filter { !$0.isEmpty }
        let left = stacked ? 12 * m.charWidth
            : PanelGeometry.leftMargin(yTicChars: Self.ticChars(panel.y, values: series.flatMap { Occupancy.values($0, x: false) }),
                                       hasLabel: !panel.y.label.isEmpty, m)
        let geometry = PanelGeometry(width: width, height: height, metrics: m, titleLines: title.count,
                                     hasColorBox: panel.colorScale != nil, leftMargin: left)
        let limit = m.belowLimit(geometry.plotWidth)
        var key = ResolvedKey.none
        var rows: [String] = []
        var seriesKey: [[String]] = [], entryKey: [[String]] = []
        // Full key texts first; when they would take more than 30% of the height below the plot
        // (a small figure), their short forms (up to the first ", ").
        for shortened in [false, true] {
            let text = { (t: String, short: String?) in KeyLayout.wrap(shortened ? short ?? KeyLayout.short(t) : t, limit: limit) }
            seriesKey = series.map { s in s.title.map { text($0, s.shortTitle) } ?? [] }
            entryKey = panel.keyEntries.map { text($0.title, $0.shortTitle) }
            rows = (seriesKey + entryKey).flatMap { $0 }
            let widest = rows.map(TextMetrics.displayLength).max() ?? 0
            key = series.isEmpty ? .none : KeyLayout.resolve(panel, rows: rows.count, widestChars: widest, in: geometry)
            guard case let .below(columns, _) = key else { break }
            let lines = (rows.count + columns - 1) / columns
            if Double(lines) * m.rowHeight <= 0.3 * height { break }
        }
        self.seriesKey = seriesKey
        self.entryKey = entryKey
        plotWidth = geometry.plotWidth
        plotHeight = geometry.plotHeight
        switch key {
        case let .below(columns, shrink):
            // Split entries read down one column.
            let split = rows.count > (seriesKey + entryKey).filter({ !$0.isEmpty }).count
            if split { key = .below(columns: 1, shrink: shrink) }
            let lines = split ? rows.count : (rows.count + columns - 1) / columns
            belowHeight = Double(lines) * m.rowHeight + ResolvedKey.belowPadding * m.em
            plotHeight = max(1, plotHeight - belowHeight)
        case let .right(w, _): plotWidth = max(1, plotWidth - w)
        case .inside, .none: break
        }
        self.key = key
    }

    /// The characters of the widest tic label of an axis: its named tics, `10^{k}` on a wide log
    /// axis (counted as 5), else the labels at gnuplot's automatic step.
    static func ticChars(_ a: Axis, values: [Double]) -> Int {
        if let tics = a.tics { return tics.map { TextMetrics.displayLength($0.label) }.max() ?? 1 }
        let range = Occupancy.AxisMap(a, values: values)
        if a.scale == .log { return range.hi - range.lo >= 2 ? 5 : 6 }
        return TicSpacing.labels(lo: range.lo, hi: range.hi, step: TicSpacing.gnuplotStep(range.hi - range.lo)).map(\.count).max() ?? 1
    }

    /// Splits a title wider than `limit` characters: at its first double space (htsr's titles
    /// put details there), else at the last space that fits.
    static func wrapTitle(_ text: String, limit: Int) -> [String] {
        guard TextMetrics.displayLength(text) > limit else { return [text] }
        if let gap = text.range(of: "  ") {
            let head = String(text[..<gap.lowerBound]), tail = String(text[gap.upperBound...])
            return wrapTitle(head, limit: limit) + wrapTitle(tail, limit: limit)
        }
        var line = ""
        var lines: [String] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if TextMetrics.displayLength(candidate) > limit, !line.isEmpty {
                lines.append(line)
                line = String(word)
            } else {
                line = candidate
            }
        }
        return lines + [line]
    }
}
