/// The one style every figure uses: the Okabe–Ito colour-blind-safe palette, line widths, and
/// the colours given to fits and layer roles. Figures take their colours from here only, so
/// they look alike.
public enum Style {
    // Okabe & Ito (2008), "Color Universal Design".
    public static let black = Color("#000000")
    public static let orange = Color("#E69F00")
    public static let skyBlue = Color("#56B4E9")
    public static let green = Color("#009E73")
    public static let yellow = Color("#F0E442")
    public static let blue = Color("#0072B2")
    public static let vermillion = Color("#D55E00")
    public static let purple = Color("#CC79A7")
    public static let grey = Color("#7F7F7F")

    /// Histogram bars.
    public static let histogramFill = Color("#8DA0B3")
    /// The KS fit (and its xmin): solid vermillion.
    public static let ksFit = LineStyle(vermillion, width: 2.5, dash: .solid)
    /// The Hill fit (and its xmin): dashed blue.
    public static let hillFit = LineStyle(blue, width: 2.5, dash: .dashed)
    /// The Marchenko–Pastur bulk density.
    public static let marchenkoPastur = LineStyle(green, width: 2.5, dash: .solid)
    /// λmax and other secondary reference lines.
    public static let reference = LineStyle(grey, width: 1.5, dash: .dotted)
    /// The α = 2 and α = 6 bands: heavy-tailed (over-trained) and random-like (under-trained).
    public static let overTrainedBand = Color("#D55E00")
    public static let underTrainedBand = Color("#56B4E9")
    public static let bandOpacity = 0.12

    /// A colour and point shape per layer role (distinct in colour and in grey).
    public static func mark(for role: LayerRole) -> RoleMark {
        switch role {
        case .query: return RoleMark(color: blue, shape: .circle)
        case .key: return RoleMark(color: skyBlue, shape: .square)
        case .value: return RoleMark(color: green, shape: .triangle)
        case .attentionOutput: return RoleMark(color: purple, shape: .diamond)
        case .attentionFused: return RoleMark(color: blue, shape: .invertedTriangle)
        case .ffn: return RoleMark(color: orange, shape: .pentagon)
        case .embedding: return RoleMark(color: vermillion, shape: .square)
        case .conv: return RoleMark(color: black, shape: .circle)
        case .other: return RoleMark(color: grey, shape: .diamond)
        }
    }

    /// Distinct line colours for the i-th of n curves (cycles through the palette).
    public static func seriesColor(_ i: Int) -> Color {
        let cycle = [blue, vermillion, green, orange, purple, skyBlue, black, yellow]
        return cycle[i % cycle.count]
    }

    /// A viridis-like colour scale for heatmaps (perceptually uniform, readable in grey).
    public static let heatmapPalette = ["#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725"]
}

/// How the points of one layer role look.
public struct RoleMark: Sendable, Equatable {
    public var color: Color
    public var shape: PointShape
}

/// The image format of the figures.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    case png, svg, pdf

    public var fileExtension: String { rawValue }
}

/// A figure size: pixels, or inches / centimetres for print. gnuplot's cairo terminals
/// convert at 72 pixels per inch, and so does this type.
public struct FigureSize: Sendable, Equatable {
    public enum Unit: String, Sendable { case pixels = "", inches = "in", centimetres = "cm" }
    public var width: Double
    public var height: Double
    public var unit: Unit

    public init(width: Double, height: Double, unit: Unit = .pixels) {
        self.width = width
        self.height = height
        self.unit = unit
    }

    public static let `default` = FigureSize(width: 800, height: 560)

    /// Parses `800x600`, `3.5x2.5in` or `9x6cm`; nil if malformed or not positive.
    public init?(parsing text: String) {
        var s = text.lowercased()
        var unit = Unit.pixels
        if s.hasSuffix("in") { unit = .inches; s.removeLast(2) } else if s.hasSuffix("cm") { unit = .centimetres; s.removeLast(2) }
        let parts = s.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Double(parts[0]), let h = Double(parts[1]), w > 0, h > 0,
              w.isFinite, h.isFinite else { return nil }
        if unit == .pixels && (w != w.rounded() || h != h.rounded()) { return nil }
        self.init(width: w, height: h, unit: unit)
        // In any unit the image is 64 to 20,000 pixels a side (so the pixel counts are Ints).
        let pixels = Self.pixelRange
        guard pixels.contains(width * inchesPerUnit * Self.pixelsPerInch), pixels.contains(height * inchesPerUnit * Self.pixelsPerInch) else { return nil }
    }

    /// The allowed width and height in pixels, in every unit (72 pixels per inch).
    public static let pixelRange = 64.0...20_000.0

    static let pixelsPerInch = 72.0

    /// Inches per unit.
    private var inchesPerUnit: Double {
        switch unit {
        case .pixels: return 1 / Self.pixelsPerInch
        case .inches: return 1
        case .centimetres: return 1 / 2.54
        }
    }

    /// The width in pixels (rounded).
    public var pixelWidth: Int { Int((width * inchesPerUnit * Self.pixelsPerInch).rounded()) }
    public var pixelHeight: Int { Int((height * inchesPerUnit * Self.pixelsPerInch).rounded()) }
    /// The width in inches.
    public var inchWidth: Double { width * inchesPerUnit }
    public var inchHeight: Double { height * inchesPerUnit }

    /// The same size with the height multiplied by `factor`.
    func scalingHeight(_ factor: Double) -> FigureSize {
        guard factor != 1 else { return self }
        var s = self
        s.height = unit == .pixels ? (height * factor).rounded() : height * factor
        return s
    }
}

/// A font as gnuplot names it: a face and a size in points, e.g. `DejaVu Sans,10`.
public struct FontSpec: Sendable, Equatable {
    public var face: String
    public var points: Double

    public init(face: String, points: Double) {
        self.face = face
        self.points = points
    }

    public static let `default` = FontSpec(face: "DejaVu Sans", points: 11)

    /// Parses `FACE,SIZE` or `FACE` (size 11) or `,SIZE` (DejaVu Sans); nil if malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 2 else { return nil }
        let face = parts[0].isEmpty ? FontSpec.default.face : parts[0]
        guard !face.contains("'"), !face.contains("\n") else { return nil }
        var points = FontSpec.default.points
        if parts.count == 2 {
            guard let p = Double(parts[1]), p >= 4, p <= 72 else { return nil }
            points = p
        }
        self.init(face: face, points: points)
    }

    /// `face,size` for gnuplot's `font` option.
    var gnuplot: String { "\(face),\(formatNumber(points))" }
}

import Foundation

/// Named render settings. `paper`: a single-column figure for print, 3.5 × 2.6 in, DejaVu Serif
/// 8 pt, no titles (the caption carries them), lines and points scaled with the font; in PDF
/// and SVG at that size, in PNG at 300 dots per inch (1050 × 780 pixels, the font and lines
/// scaled to match), so every format looks the same.
public enum FigurePreset: String, Sendable, CaseIterable {
    case paper

    public static let paperSize = FigureSize(width: 3.5, height: 2.6, unit: .inches)
    public static let paperFont = FontSpec(face: "DejaVu Serif", points: 8)
    /// The resolution of a raster figure drawn with a print preset.
    public static let rasterDotsPerInch = 300.0

    /// The settings of this preset in `format`; `size` and `font`, when given, replace the preset's.
    public func settings(format: ImageFormat, size: FigureSize? = nil, font: FontSpec? = nil) -> RenderSettings {
        var size = size ?? Self.paperSize
        var font = font ?? Self.paperFont
        if format == .png, size.unit != .pixels {
            // pngcairo draws at 72 pixels per inch: draw at 300 instead, everything enlarged alike.
            let factor = Self.rasterDotsPerInch / FigureSize.pixelsPerInch
            size = FigureSize(width: (size.inchWidth * Self.rasterDotsPerInch).rounded(), height: (size.inchHeight * Self.rasterDotsPerInch).rounded())
            font.points *= factor
        }
        return RenderSettings(format: format, size: size, font: font, titles: false)
    }
}
