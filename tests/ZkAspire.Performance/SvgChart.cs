// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Security;
using System.Text;

namespace ZkAspire.Performance;

/// <summary>
/// A small-multiples bar chart as SVG: one panel per workload, each with its own scale, so a
/// workload of 5,000 ops/s reads as well as one of 150,000. In each panel, groups of bars (one
/// bar per server) with the median written on top and a whisker from the smallest to the largest
/// repetition. Linear or logarithmic (latency) scales. Plain SVG 1.1, no script, no fonts.
/// </summary>
internal sealed class SvgChart
{
    private const int PanelWidth = 250;
    private const int PanelHeight = 210;
    private const int PlotLeft = 52;
    private const int PlotRight = 10;
    private const int PlotTop = 40;
    private const int PlotBottom = 28;
    private const int HeaderHeight = 80;
    private const int Columns = 3;

    private readonly List<Panel> _panels = [];

    public SvgChart(string title, string subtitle, IReadOnlyList<(string Name, string Color)> series, bool logScale, string unit)
    {
        Title = title;
        Subtitle = subtitle;
        Series = series;
        LogScale = logScale;
        Unit = unit;
    }

    public string Title { get; }

    public string Subtitle { get; }

    public IReadOnlyList<(string Name, string Color)> Series { get; }

    public bool LogScale { get; }

    public string Unit { get; }

    /// <summary>Adds a panel.</summary>
    /// <param name="title">The panel's title (the workload).</param>
    /// <param name="note">A line under the title, e.g. the ratio.</param>
    /// <param name="categories">The groups on the x axis (one empty name for a single group).</param>
    /// <param name="values">values[series][category].</param>
    public void AddPanel(string title, string note, IReadOnlyList<string> categories, Spread[][] values) =>
        _panels.Add(new Panel(title, note, categories, values));

    public string Render()
    {
        var rows = (_panels.Count + Columns - 1) / Columns;
        var width = Columns * PanelWidth;
        var height = HeaderHeight + (rows * PanelHeight) + 10;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\">\n"));
        svg.Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Invariant($"<text x=\"12\" y=\"22\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">{Escape(Title)}</text>\n"));
        svg.Append(Invariant($"<text x=\"12\" y=\"40\" font-size=\"11\" fill=\"#555\">{Escape(Subtitle)}</text>\n"));

        // Legend, on a line of its own under the subtitle.
        for (var s = 0; s < Series.Count; s++)
        {
            var x = 12 + (s * 160);
            svg.Append(Invariant($"<rect x=\"{x}\" y=\"50\" width=\"12\" height=\"12\" fill=\"{Series[s].Color}\"/>"));
            svg.Append(Invariant($"<text x=\"{x + 17}\" y=\"60\" font-size=\"12\" fill=\"#222\">{Escape(Series[s].Name)}</text>\n"));
        }

        for (var i = 0; i < _panels.Count; i++)
        {
            RenderPanel(svg, _panels[i], (i % Columns) * PanelWidth, HeaderHeight + ((i / Columns) * PanelHeight));
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    /// <summary>A short number: 3 significant digits, k and M for thousands and millions.</summary>
    private static string Short(double value)
    {
        if (double.IsNaN(value))
        {
            return "n/a";
        }

        var (scaled, suffix) = Math.Abs(value) switch
        {
            >= 1e6 => (value / 1e6, "M"),
            >= 1e4 => (value / 1e3, "k"),
            _ => (value, string.Empty),
        };
        var digits = Math.Abs(scaled) switch
        {
            >= 100 => "0",
            >= 10 => "0.#",
            >= 1 => "0.##",
            _ => "0.###",
        };
        return scaled.ToString(digits, CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>A round upper bound (1, 2, 2.5, 5 times a power of ten) and a tick step.</summary>
    private static (double Max, double Step) NiceScale(double max)
    {
        if (max <= 0 || double.IsNaN(max))
        {
            return (1, 0.25);
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var (factor, step) in new[] { (1.0, 0.2), (2.0, 0.5), (2.5, 0.5), (5.0, 1.0), (10.0, 2.0) })
        {
            if (max <= factor * magnitude)
            {
                return (factor * magnitude, step * magnitude);
            }
        }

        return (10 * magnitude, 2 * magnitude);
    }

    private void RenderPanel(StringBuilder svg, Panel panel, int originX, int originY)
    {
        var left = originX + PlotLeft;
        var right = originX + PanelWidth - PlotRight;
        var top = originY + PlotTop;
        var bottom = originY + PanelHeight - PlotBottom;
        svg.Append(Invariant($"<text x=\"{originX + (PanelWidth / 2)}\" y=\"{originY + 16}\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#222\">{Escape(panel.Title)}</text>\n"));
        svg.Append(Invariant($"<text x=\"{originX + (PanelWidth / 2)}\" y=\"{originY + 31}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">{Escape(panel.Note)}</text>\n"));

        var all = panel.Values.SelectMany(v => v).Where(v => v.Count > 0).ToList();
        var dataMax = all.Count == 0 ? 1 : all.Max(v => v.Max);
        Func<double, double> y;
        var ticks = new List<double>();
        if (LogScale)
        {
            var positive = all.Where(v => v.Min > 0).ToList();
            var dataMin = positive.Count == 0 ? 0.01 : positive.Min(v => v.Min);
            var low = Math.Floor(Math.Log10(dataMin));
            var high = Math.Ceiling(Math.Log10(Math.Max(dataMax, dataMin * 10)));
            for (var e = low; e <= high; e++)
            {
                ticks.Add(Math.Pow(10, e));
            }

            y = v => bottom - ((Math.Log10(Math.Max(v, Math.Pow(10, low))) - low) / (high - low) * (bottom - top));
        }
        else
        {
            var (max, step) = NiceScale(dataMax * 1.12);
            for (var t = 0.0; t <= max + (step / 2); t += step)
            {
                ticks.Add(t);
            }

            y = v => bottom - (v / max * (bottom - top));
        }

        foreach (var tick in ticks)
        {
            var ty = y(tick);
            svg.Append(Invariant($"<line x1=\"{left}\" y1=\"{ty:0.#}\" x2=\"{right}\" y2=\"{ty:0.#}\" stroke=\"#e3e3e3\"/>"));
            svg.Append(Invariant($"<text x=\"{left - 4}\" y=\"{ty + 4:0.#}\" font-size=\"10\" text-anchor=\"end\" fill=\"#666\">{Escape(Short(tick))}</text>\n"));
        }

        svg.Append(Invariant($"<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#888\"/>\n"));
        svg.Append(Invariant($"<text x=\"{originX + 12}\" y=\"{(top + bottom) / 2}\" font-size=\"10\" fill=\"#666\" text-anchor=\"middle\" transform=\"rotate(-90 {originX + 12} {(top + bottom) / 2})\">{Escape(Unit)}</text>\n"));

        var groupWidth = (double)(right - left) / panel.Categories.Count;
        var barWidth = Math.Min(44, (groupWidth - 12) / Series.Count);
        for (var c = 0; c < panel.Categories.Count; c++)
        {
            var groupLeft = left + (c * groupWidth) + ((groupWidth - (barWidth * Series.Count)) / 2);
            for (var s = 0; s < Series.Count; s++)
            {
                var value = panel.Values[s][c];
                if (value.Count == 0)
                {
                    continue;
                }

                var x = groupLeft + (s * barWidth);
                var barTop = y(value.Median);
                svg.Append(Invariant($"<rect x=\"{x + 1:0.#}\" y=\"{barTop:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{Math.Max(0, bottom - barTop):0.#}\" fill=\"{Series[s].Color}\"><title>{Escape(Series[s].Name)} {Escape(panel.Categories[c])}: median {Short(value.Median)}, range {Short(value.Min)} to {Short(value.Max)} ({value.Count} runs)</title></rect>"));
                if (value.Count > 1)
                {
                    var mid = x + (barWidth / 2);
                    var yMin = y(value.Min);
                    var yMax = y(value.Max);
                    svg.Append(Invariant($"<line x1=\"{mid:0.#}\" y1=\"{yMin:0.#}\" x2=\"{mid:0.#}\" y2=\"{yMax:0.#}\" stroke=\"#222\"/>"));
                    svg.Append(Invariant($"<line x1=\"{mid - 4:0.#}\" y1=\"{yMin:0.#}\" x2=\"{mid + 4:0.#}\" y2=\"{yMin:0.#}\" stroke=\"#222\"/>"));
                    svg.Append(Invariant($"<line x1=\"{mid - 4:0.#}\" y1=\"{yMax:0.#}\" x2=\"{mid + 4:0.#}\" y2=\"{yMax:0.#}\" stroke=\"#222\"/>"));
                }

                var labelY = Math.Min(barTop, y(value.Max)) - 3;
                svg.Append(Invariant($"<text x=\"{x + (barWidth / 2):0.#}\" y=\"{labelY:0.#}\" font-size=\"{(barWidth < 24 ? 8 : 10)}\" text-anchor=\"middle\" fill=\"#222\">{Escape(Short(value.Median))}</text>\n"));
            }

            if (panel.Categories[c].Length > 0)
            {
                svg.Append(Invariant($"<text x=\"{left + (c * groupWidth) + (groupWidth / 2):0.#}\" y=\"{bottom + 14}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">{Escape(panel.Categories[c])}</text>\n"));
            }
        }
    }

    private sealed record Panel(string Title, string Note, IReadOnlyList<string> Categories, Spread[][] Values);
}
