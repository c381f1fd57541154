/// Small inline SVG charts for the HTML report. Every label from data is escaped.
public enum SVGCharts {
    static func e(_ s: String) -> String { HTMLReport.escape(s) }
    static func f(_ v: Double) -> String { JSONValue.format(v, decimals: 1) }

    /// Histogram of quality scores (0–100, bins of 10) with a vertical target line.
    public static func histogram(_ values: [Double], target: Double, title: String) -> String {
        var bins = [Int](repeating: 0, count: 10)
        for v in values { bins[min(9, max(0, Int(v / 10)))] += 1 }
        return histogram(bins: bins, target: target, title: title)
    }

    /// The same from counts per 10-point bin.
    public static func histogram(bins: [Int], target: Double, title: String) -> String {
        let w = 640.0, h = 230.0, left = 40.0, bottom = 30.0, top = 40.0
        let maxCount = max(1, bins.max() ?? 1)
        let bw = (w - left - 10) / 10
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(e(title))\">"
        s += "<text x=\"\(f(left))\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(e(title))</text>"
        for (i, c) in bins.enumerated() {
            let bh = (h - bottom - top) * Double(c) / Double(maxCount)
            let x = left + Double(i) * bw
            s += "<rect x=\"\(f(x + 1))\" y=\"\(f(h - bottom - bh))\" width=\"\(f(bw - 2))\" height=\"\(f(bh))\" fill=\"#5b8def\"><title>\(i * 10)–\(i * 10 + 10): \(c)</title></rect>"
            if c > 0 { s += "<text x=\"\(f(x + bw / 2))\" y=\"\(f(h - bottom - bh - 3))\" font-size=\"10\" text-anchor=\"middle\">\(c)</text>" }
            s += "<text x=\"\(f(x))\" y=\"\(f(h - bottom + 14))\" font-size=\"10\">\(i * 10)</text>"
        }
        s += "<text x=\"\(f(left + 10 * bw - 10))\" y=\"\(f(h - bottom + 14))\" font-size=\"10\">100</text>"
        let tx = left + (w - left - 10) * min(100, max(0, target)) / 100
        s += "<line x1=\"\(f(tx))\" x2=\"\(f(tx))\" y1=\"\(f(top))\" y2=\"\(f(h - bottom))\" stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>"
        s += "<text x=\"\(f(tx - 4))\" y=\"\(f(top + 10))\" font-size=\"11\" fill=\"#b3261e\" text-anchor=\"end\">target \(f(target)) %</text>"
        s += "<line x1=\"\(f(left))\" x2=\"\(f(w - 10))\" y1=\"\(f(h - bottom))\" y2=\"\(f(h - bottom))\" stroke=\"#888\"/></svg>\n"
        return s
    }

    /// One line per series over shared x labels (weeks), y 0–100, with a target line, and
    /// `markers`: a dashed vertical line at an x label with a short text (when an agent was coached).
    public static func lines(_ series: [(name: String, points: [String: Double])], xLabels: [String], target: Double, title: String,
                             markers: [(xLabel: String, text: String)] = []) -> String {
        let w = 640.0, h = 240.0, left = 40.0, right = 150.0, bottom = 30.0, top = 24.0
        let colors = ["#5b8def", "#e8833a", "#2e9e5b", "#9c5bd1", "#c7416b", "#3aa6b9", "#8a7a3a", "#555555"]
        let plotW = w - left - right, plotH = h - bottom - top
        func x(_ i: Int) -> Double { xLabels.count <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(xLabels.count - 1) }
        func y(_ v: Double) -> Double { top + plotH * (1 - min(100, max(0, v)) / 100) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(e(title))\">"
        s += "<text x=\"\(f(left))\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(e(title))</text>"
        for v in stride(from: 0.0, through: 100, by: 25) {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(f(left - 4))\" y=\"\(f(y(v) + 4))\" font-size=\"10\" text-anchor=\"end\">\(Int(v))</text>"
        }
        s += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y(target)))\" y2=\"\(f(y(target)))\" stroke=\"#b3261e\" stroke-dasharray=\"5 3\"/>"
        for (i, l) in xLabels.enumerated() {
            s += "<text x=\"\(f(x(i)))\" y=\"\(f(h - bottom + 14))\" font-size=\"10\" text-anchor=\"middle\">\(e(l))</text>"
        }
        for (k, m) in markers.enumerated() {
            guard let i = xLabels.firstIndex(of: m.xLabel) else { continue }
            // Near the bottom of the plot (scores sit near the top) and on the side with room: the
            // legend is to the right of the plot.
            let ty = h - bottom - 6 - 12 * Double(k % 3)
            let right = x(i) > left + plotW / 2
            s += "<g class=\"marker\"><line x1=\"\(f(x(i)))\" x2=\"\(f(x(i)))\" y1=\"\(f(top))\" y2=\"\(f(h - bottom))\" stroke=\"#2e9e5b\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"/>"
            s += "<text x=\"\(f(right ? x(i) - 4 : x(i) + 4))\" y=\"\(f(ty))\" font-size=\"10\" fill=\"#1e7b34\" text-anchor=\"\(right ? "end" : "start")\">\(e(m.text))</text></g>"
        }
        for (k, serie) in series.enumerated() {
            let c = colors[k % colors.count]
            let pts = xLabels.enumerated().compactMap { i, l in serie.points[l].map { (x(i), y($0)) } }
            if pts.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" points=\"" + pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>"
            }
            for p in pts { s += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"3\" fill=\"\(c)\"/>" }
            let ly = top + 14 * Double(k)
            s += "<rect x=\"\(f(w - right + 10))\" y=\"\(f(ly))\" width=\"10\" height=\"10\" fill=\"\(c)\"/>"
            s += "<text x=\"\(f(w - right + 24))\" y=\"\(f(ly + 9))\" font-size=\"11\">\(e(String(serie.name.prefix(20))))</text>"
        }
        return s + "</svg>\n"
    }

    /// Dot and whiskers per row on a −100…100 axis (NPS with its interval).
    public static func intervals(_ rows: [(label: String, value: Double, low: Double, high: Double, reliable: Bool)], title: String) -> String {
        let rowH = 22.0, left = 150.0, w = 640.0, top = 28.0
        let h = top + rowH * Double(max(1, rows.count)) + 24
        func x(_ v: Double) -> Double { left + (w - left - 20) * (min(100, max(-100, v)) + 100) / 200 }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(e(title))\">"
        s += "<text x=\"10\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(e(title))</text>"
        for v in [-100.0, -50, 0, 50, 100] {
            s += "<line x1=\"\(f(x(v)))\" x2=\"\(f(x(v)))\" y1=\"\(f(top - 4))\" y2=\"\(f(h - 20))\" stroke=\"\(v == 0 ? "#999" : "#eee")\"/>"
            s += "<text x=\"\(f(x(v)))\" y=\"\(f(h - 6))\" font-size=\"10\" text-anchor=\"middle\">\(Int(v))</text>"
        }
        for (i, r) in rows.enumerated() {
            let y = top + rowH * Double(i) + rowH / 2
            let c = r.reliable ? "#1d2733" : "#9aa5b1"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(e(String(r.label.prefix(22))))</text>"
            s += "<line x1=\"\(f(x(r.low)))\" x2=\"\(f(x(r.high)))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(c)\" stroke-width=\"2\"/>"
            s += "<circle cx=\"\(f(x(r.value)))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(c)\"><title>\(e(r.label)): \(f(r.value)) [\(f(r.low)), \(f(r.high))]</title></circle>"
        }
        return s + "</svg>\n"
    }

    /// Bars of shares (0–1) per label with a horizontal goal line (service level by hour vs 80 %).
    public static func bars(_ rows: [(label: String, value: Double?)], goal: Double, title: String) -> String {
        let w = 640.0, h = 220.0, left = 40.0, bottom = 30.0, top = 24.0
        let n = max(1, rows.count)
        let bw = (w - left - 10) / Double(n)
        func y(_ v: Double) -> Double { top + (h - bottom - top) * (1 - min(1, max(0, v))) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(e(title))\">"
        s += "<text x=\"\(f(left))\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(e(title))</text>"
        for v in [0.0, 0.5, 1.0] {
            s += "<text x=\"\(f(left - 4))\" y=\"\(f(y(v) + 4))\" font-size=\"10\" text-anchor=\"end\">\(Int(v * 100))%</text>"
        }
        for (i, r) in rows.enumerated() {
            let x = left + Double(i) * bw
            if let v = r.value {
                let color = v >= goal ? "#2e9e5b" : "#e8833a"
                s += "<rect x=\"\(f(x + 1))\" y=\"\(f(y(v)))\" width=\"\(f(max(1, bw - 2)))\" height=\"\(f(h - bottom - y(v)))\" fill=\"\(color)\"><title>\(e(r.label)): \(f(v * 100)) %</title></rect>"
            }
            s += "<text x=\"\(f(x + bw / 2))\" y=\"\(f(h - bottom + 14))\" font-size=\"10\" text-anchor=\"middle\">\(e(r.label))</text>"
        }
        s += "<line x1=\"\(f(left))\" x2=\"\(f(w - 10))\" y1=\"\(f(y(goal)))\" y2=\"\(f(y(goal)))\" stroke=\"#b3261e\" stroke-dasharray=\"5 3\"/>"
        s += "<text x=\"\(f(w - 12))\" y=\"\(f(y(goal) - 4))\" font-size=\"11\" fill=\"#b3261e\" text-anchor=\"end\">goal \(Int(goal * 100)) %</text>"
        return s + "</svg>\n"
    }

    /// The call's timeline: one lane per party plus overtalk, dead air, hold and tones.
    /// `interactive`: scalable (a `viewBox`), with the geometry a player script needs to map
    /// a click to a second (`data-duration`, `data-left`, `data-plot-width` in viewBox units).
    /// `laneNotes`: a text shown inside a lane, by lane name (what the lane cannot show).
    public static func timeline(durationS: Double, lanes: [(name: String, spans: [(Double, Double)], color: String)], title: String,
                                interactive: Bool = false, laneNotes: [String: String] = [:]) -> String {
        let w = 900.0, left = 90.0, laneH = 22.0, top = 26.0
        let h = top + laneH * Double(lanes.count) + 26
        let d = max(durationS, 1)
        func x(_ t: Double) -> Double { left + (w - left - 10) * min(d, max(0, t)) / d }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(e(title))\""
        if interactive {
            s += " id=\"timeline\" class=\"timeline\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" data-duration=\"\(JSONValue.format(d, decimals: 3))\""
            s += " data-left=\"\(f(left))\" data-plot-width=\"\(f(w - left - 10))\" data-top=\"\(f(top))\" data-bottom=\"\(f(top + laneH * Double(lanes.count)))\""
        }
        s += ">"
        s += "<text x=\"10\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(e(title))</text>"
        for (i, lane) in lanes.enumerated() {
            let y = top + laneH * Double(i)
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 15))\" font-size=\"11\" text-anchor=\"end\">\(e(lane.name))</text>"
            s += "<rect x=\"\(f(left))\" y=\"\(f(y + 3))\" width=\"\(f(w - left - 10))\" height=\"\(f(laneH - 6))\" fill=\"#f3f5f8\"/>"
            if let note = laneNotes[lane.name] {
                s += "<text x=\"\(f(left + 6))\" y=\"\(f(y + 15))\" font-size=\"11\" font-style=\"italic\" fill=\"#5a6775\">\(e(note))</text>"
            }
            for (a, b) in lane.spans {
                s += "<rect x=\"\(f(x(a)))\" y=\"\(f(y + 3))\" width=\"\(f(max(0.8, x(b) - x(a))))\" height=\"\(f(laneH - 6))\" fill=\"\(lane.color)\"><title>\(e(lane.name)) \(f(a))–\(f(b)) s</title></rect>"
            }
        }
        let step = d > 600 ? 120.0 : d > 120 ? 30.0 : 10.0
        var t = 0.0
        while t <= d {
            s += "<text x=\"\(f(x(t)))\" y=\"\(f(h - 8))\" font-size=\"10\" text-anchor=\"middle\">\(e(EvidenceClock.clock(t)))</text>"
            t += step
        }
        return s + "</svg>\n"
    }
}

/// mm:ss for axis labels.
enum EvidenceClock {
    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded(.down))
        let m = t / 60, sec = t % 60
        return "\(m):" + (sec < 10 ? "0\(sec)" : "\(sec)")
    }
}
