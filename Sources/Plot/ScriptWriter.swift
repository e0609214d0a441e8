/// Where and how a figure is rendered.
public struct RenderSettings: Sendable, Equatable {
    public var format: ImageFormat
    public var size: FigureSize
    public var font: FontSpec

    public init(format: ImageFormat = .png, size: FigureSize = .default, font: FontSpec = .default) {
        self.format = format
        self.size = size
        self.font = font
    }
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
        let stacked = figure.panels.count > 1
        if stacked {
            s.line("set multiplot layout \(figure.panels.count),1")
            s.line("set lmargin 12")
            if figure.panels.contains(where: { $0.key == .outsideRight }) { s.line("set rmargin 24") }
        }
        for (i, panel) in figure.panels.enumerated() {
            if i > 0 { s.line(panelReset) }
            write(panel, into: &s)
        }
        if stacked { s.line("unset multiplot") }
        s.line("unset output")
        return s
    }

    /// The terminal line: pngcairo, svg or pdfcairo at the requested size and font.
    static func terminal(_ r: RenderSettings, heightScale: Double) -> String {
        let size = r.size.scalingHeight(heightScale)
        let font = "font \(quoted(r.font.gnuplot))"
        let common = "enhanced \(font) background rgb 'white' linewidth 1 rounded"
        switch r.format {
        case .png: return "set terminal pngcairo size \(size.pixelWidth),\(size.pixelHeight) \(common)"
        case .svg: return "set terminal svg size \(size.pixelWidth),\(size.pixelHeight) \(common)"
        case .pdf: return "set terminal pdfcairo size \(fixed(size.inchWidth))in,\(fixed(size.inchHeight))in \(common)"
        }
    }

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

    static func write(_ panel: Panel, into s: inout GnuplotScript) {
        if let title = panel.title { s.line("set title \(quoted(title))") }
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
        axis(panel.x, name: "x", into: &s)
        axis(panel.y, name: "y", into: &s)
        s.line(key(panel.key))
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
            s.line("set cblabel \(quoted(scale.label))")
            s.line("set colorbox")
        }
        var elements: [String] = []
        var blocks: [DataBlock] = []
        for item in series {
            let (element, block) = plotElement(item, first: elements.isEmpty)
            elements.append(element)
            if let block { blocks.append(block) }
        }
        for entry in panel.keyEntries {
            switch entry.mark {
            case let .line(style): elements.append("keyentry with lines \(lineOptions(style)) title \(quoted(entry.title))")
            case let .fill(color, opacity):
                elements.append("keyentry with boxes fs transparent solid \(formatNumber(opacity)) fc rgb '\(color.hex)' title \(quoted(entry.title))")
            }
        }
        s.line("plot " + elements.joined(separator: ", \\\n     "))
        for b in blocks { s.append(b) }
    }

    static func axis(_ a: Axis, name: String, into s: inout GnuplotScript) {
        s.line("set \(name)label \(quoted(a.label))")
        let lo = a.min.map(formatNumber) ?? "*"
        let hi = a.max.map(formatNumber) ?? "*"
        s.line("set \(name)range [\(lo):\(hi)]")
        if a.scale == .log {
            s.line("set logscale \(name) 10")
            // Powers of ten read best when the axis spans two decades or more.
            let wide = a.min.flatMap { lo in a.max.map { hi in hi / lo >= 100 } } ?? true
            s.line("set format \(name) \(wide ? "'10^{%L}'" : "'%g'")")
            s.line("set m\(name)tics 10")
        }
        if let tics = a.tics {
            let list = tics.map { "\(quoted($0.label)) \(formatNumber($0.value))" }.joined(separator: ", ")
            s.line("set \(name)tics (\(list))")
        }
    }

    static func key(_ k: KeyPlacement) -> String {
        switch k {
        case .topRight: return "set key inside top right opaque box lc rgb '#D0D0D0'"
        case .topLeft: return "set key inside top left opaque box lc rgb '#D0D0D0'"
        case .bottomRight: return "set key inside bottom right opaque box lc rgb '#D0D0D0'"
        case .bottomLeft: return "set key inside bottom left opaque box lc rgb '#D0D0D0'"
        case .outsideRight: return "set key outside right top vertical noopaque nobox"
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

    static func plotElement(_ series: Series, first: Bool) -> (String, DataBlock?) {
        let title = series.title.map { "title \(quoted($0))" } ?? "notitle"
        let with: String
        switch series.style {
        case let .lines(l): with = "with lines \(lineOptions(l))"
        case let .points(c, shape, size):
            with = "with points pt \(shape.rawValue) ps \(formatNumber(size)) lc rgb '\(c.hex)'"
        case let .linesPoints(l, shape, size):
            with = "with linespoints \(lineOptions(l)) pt \(shape.rawValue) ps \(formatNumber(size))"
        case let .impulses(l): with = "with impulses \(lineOptions(l))"
        case let .boxes(fill, opacity):
            with = "with boxes fs solid \(formatNumber(opacity)) noborder fc rgb '\(fill.hex)'"
        case .paletteBoxes: with = "with boxxyerror fs solid 1 noborder fc palette"
        case let .errorBars(l, shape, size):
            with = "with yerrorlines \(lineOptions(l)) pt \(shape.rawValue) ps \(formatNumber(size))"
        case let .intervals(c, shape, size):
            with = "with yerrorbars lc rgb '\(c.hex)' lw 2 pt \(shape.rawValue) ps \(formatNumber(size))"
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
