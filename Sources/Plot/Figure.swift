/// A figure as data: one or more panels stacked vertically, each with axes, series and
/// decorations. Figures are plain values built by pure functions (`LayerFigures`,
/// `ModelFigures`, `TrainingFigures`) and turned into gnuplot scripts by `ScriptWriter`; nothing
/// here knows about gnuplot's syntax.
public struct Figure: Sendable, Equatable {
    /// A file-name stem, e.g. `esd-loglog`.
    public var name: String
    /// Panels from top to bottom (one for most figures).
    public var panels: [Panel]
    /// The figure's height relative to the requested size (stacked panels ask for more).
    public var heightScale: Double

    public init(name: String, panels: [Panel], heightScale: Double = 1) {
        self.name = name
        self.panels = panels
        self.heightScale = heightScale
    }

    public init(name: String, panel: Panel) { self.init(name: name, panels: [panel]) }
}

/// One plotting area.
public struct Panel: Sendable, Equatable {
    public var title: String?
    public var x: Axis
    public var y: Axis
    public var series: [Series] = []
    public var verticalLines: [ReferenceLine] = []
    public var horizontalLines: [ReferenceLine] = []
    /// Shaded horizontal bands across the whole width (e.g. α < 2).
    public var bands: [Band] = []
    /// Legend-only entries (for bands and lines that are not series).
    public var keyEntries: [KeyEntry] = []
    /// Where the key goes; `KeyLayout` turns it into a place that covers no data.
    public var key: KeyPlacement = .auto
    /// The colour scale for `.paletteBoxes` series.
    public var colorScale: ColorScale?
    /// Text shown in the middle when there is nothing to plot.
    public var emptyMessage: String = "no data"

    public init(title: String? = nil, x: Axis, y: Axis) {
        self.title = title
        self.x = x
        self.y = y
    }
}

/// An axis: label, scale, range and optional named tics.
public struct Axis: Sendable, Equatable {
    public enum Scale: Sendable, Equatable { case linear, log }
    public var label: String
    public var scale: Scale
    /// Fixed limits; nil ends autoscale.
    public var min: Double?
    public var max: Double?
    /// Tics at these positions with these labels (replacing the automatic tics).
    public var tics: [Tic]?

    public init(_ label: String, scale: Scale = .linear, min: Double? = nil, max: Double? = nil, tics: [Tic]? = nil) {
        self.label = label
        self.scale = scale
        self.min = min
        self.max = max
        self.tics = tics
    }
}

public struct Tic: Sendable, Equatable {
    public var label: String
    public var value: Double
    public init(_ label: String, _ value: Double) { self.label = label; self.value = value }
}

/// A colour as `#RRGGBB`.
public struct Color: Sendable, Hashable {
    public var hex: String
    public init(_ hex: String) { self.hex = hex }
}

public enum Dash: Sendable, Equatable {
    case solid, dashed, dotted, dashDot
}

/// The look of a line.
public struct LineStyle: Sendable, Equatable {
    public var color: Color
    public var width: Double
    public var dash: Dash
    public init(_ color: Color, width: Double = 2, dash: Dash = .solid) {
        self.color = color
        self.width = width
        self.dash = dash
    }
}

/// gnuplot point types that print well in colour and in grey.
public enum PointShape: Int, Sendable, Equatable, CaseIterable {
    case circle = 7, square = 5, triangle = 9, diamond = 13, invertedTriangle = 11, pentagon = 15, cross = 2, plus = 1
}

/// How a series is drawn, and which data columns it reads.
public enum SeriesStyle: Sendable, Equatable {
    /// Columns x, y.
    case lines(LineStyle)
    /// Columns x, y.
    case points(Color, PointShape, size: Double)
    /// Columns x, y.
    case linesPoints(LineStyle, PointShape, size: Double)
    /// Columns x, y (vertical bars from 0).
    case impulses(LineStyle)
    /// Columns x (centre), y, width: filled bars from the bottom of the plot.
    case boxes(fill: Color, opacity: Double)
    /// Columns x, y, xlow, xhigh, ylow, yhigh, value: rectangles coloured by the panel's colour scale.
    case paletteBoxes
    /// Columns x, y, ylow, yhigh: points joined by a line, each with a vertical error bar from
    /// ylow to yhigh (e.g. mean ± standard deviation).
    case errorBars(LineStyle, PointShape, size: Double)
    /// Columns x, y, ylow, yhigh: points with vertical error bars, not joined (e.g. estimates
    /// with their confidence intervals).
    case intervals(Color, PointShape, size: Double)
    /// Columns x, ylow, yhigh: the area between two curves, filled translucently (e.g. a mean
    /// ± std band over seeds; draw the mean as its own `lines` series).
    case band(Color, opacity: Double)

    /// The number of data columns the style reads.
    public var columnCount: Int {
        switch self {
        case .lines, .points, .linesPoints, .impulses: return 2
        case .boxes, .band: return 3
        case .errorBars, .intervals: return 4
        case .paletteBoxes: return 7
        }
    }
}

/// What a series shows: data columns, or a function of x sampled by gnuplot.
public enum SeriesData: Sendable, Equatable {
    /// Equal-length columns (record r is `columns[c][r]`).
    case columns([[Double]])
    /// A gnuplot expression in `x` (e.g. `0.5*x**(-2.1)`), sampled on `[from, to]` (400 samples,
    /// evenly spaced in log x on a log axis).
    case function(expression: String, from: Double, to: Double)
}

public struct Series: Sendable, Equatable {
    /// The key entry; nil leaves the series out of the key.
    public var title: String?
    public var data: SeriesData
    public var style: SeriesStyle
    /// For a `.function`: points (x, y columns) along the curve, so that the key can be kept
    /// off it. Without one, the key avoids the function's whole x range, top to bottom.
    public var trace: [[Double]]?
    /// The key text on a small figure (default: the title up to its first ", ").
    public var shortTitle: String?

    public init(_ title: String?, _ data: SeriesData, _ style: SeriesStyle, trace: [[Double]]? = nil, shortTitle: String? = nil) {
        self.title = title
        self.data = data
        self.style = style
        self.trace = trace
        self.shortTitle = shortTitle
    }

    /// Records in the data (0 for functions, which are never empty).
    public var recordCount: Int {
        if case let .columns(c) = data { return c.first?.count ?? 0 }
        return 0
    }

    /// Whether there is something to draw.
    public var isEmpty: Bool {
        if case .columns = data { return recordCount == 0 }
        return false
    }
}

/// A vertical (`x = value`) or horizontal (`y = value`) line across the panel.
public struct ReferenceLine: Sendable, Equatable {
    public var value: Double
    public var style: LineStyle
    public init(_ value: Double, _ style: LineStyle) { self.value = value; self.style = style }
}

/// A shaded band `from ≤ y ≤ to` across the panel (nil: to the panel's edge).
public struct Band: Sendable, Equatable {
    public var from: Double?
    public var to: Double?
    public var color: Color
    public var opacity: Double
    public init(from: Double?, to: Double?, color: Color, opacity: Double) {
        self.from = from
        self.to = to
        self.color = color
        self.opacity = opacity
    }
}

/// A legend entry that is not a series.
public struct KeyEntry: Sendable, Equatable {
    public enum Mark: Sendable, Equatable {
        case line(LineStyle)
        case fill(Color, opacity: Double)
    }
    public var title: String
    public var mark: Mark
    /// The text on a small figure (default: the title up to its first ", ").
    public var shortTitle: String?
    public init(_ title: String, _ mark: Mark, shortTitle: String? = nil) { self.title = title; self.mark = mark; self.shortTitle = shortTitle }
}

/// Where a panel's key goes. Keys never cover data: an inside corner is used only when the
/// data leaves it free (`KeyLayout` checks every series, reference line and trace against the
/// key's estimated size at the render size and font); otherwise the key goes outside.
public enum KeyPlacement: Sendable, Equatable {
    /// The first free inside corner (top right, top left, bottom right, bottom left), else outside.
    case auto
    /// This corner if it is free, else as `auto`.
    case topRight, topLeft, bottomRight, bottomLeft
    /// Outside the plot: to the right when the key is narrow enough, else below.
    case outside
    /// Outside, to the right of the plot.
    case outsideRight
    /// Outside, below the plot (in as many columns as fit).
    case below
    case none
}

/// A colour scale for `.paletteBoxes`: a label and fixed limits.
public struct ColorScale: Sendable, Equatable {
    public var label: String
    public var min: Double
    public var max: Double
    public init(label: String, min: Double, max: Double) { self.label = label; self.min = min; self.max = max }
}
