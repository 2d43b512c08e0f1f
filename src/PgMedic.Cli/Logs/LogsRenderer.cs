using System.Globalization;
using System.Text.Json;
using PgMedic.Cli.Output;
using PgMedic.Core.Logs;
using Spectre.Console;

namespace PgMedic.Cli.Logs;

internal static class LogsRenderer
{
    /// <summary>Minutes shown in the table and markdown histograms; JSON has them all.</summary>
    public const int HistogramRows = 30;

    private const int BarWidth = 30;

    public static void Render(LogReport report, Output.OutputFormat format, CliContext context)
    {
        switch (format)
        {
            case Output.OutputFormat.Json:
                context.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Dialect.LogReport));
                break;
            case Output.OutputFormat.Markdown:
                RenderMarkdown(report, context.Out);
                break;
            default:
                RenderTable(report, Terminal.For(context));
                break;
        }
    }

    public static string Verdict(LogReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var read = Invariant($"{report.Lines:N0} lines ({Megabytes(report.Bytes)} MB) from {string.Join(", ", report.Sources)} in {report.Seconds:0.##} s");
        return report.Hits == 0
            ? $"{read}; no connection trouble found"
            : Invariant($"{read}; {report.Hits:N0} line(s) of connection trouble in {report.Kinds.Count} kind(s), {Span(report)}");
    }

    private static void RenderTable(LogReport report, IAnsiConsole console)
    {
        var colour = report.Status switch
        {
            Core.Diagnosis.DiagnosisStatus.Critical => "red",
            Core.Diagnosis.DiagnosisStatus.Warning => "yellow",
            _ => "green",
        };
        console.MarkupLine($"[bold {colour}]{report.Status.ToString().ToUpperInvariant()}[/] {Terminal.Safe(Verdict(report))}");
        if (report.Kinds.Count == 0)
        {
            return;
        }

        var table = new FittedTable(
            new FittedColumn("kind", ColumnFit.Keep),
            new FittedColumn("from"),
            new FittedColumn("count", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("first seen", ColumnFit.Keep),
            new FittedColumn("last seen", ColumnFit.Keep),
            new FittedColumn("runbook", ColumnFit.Wrap));
        foreach (var kind in report.Kinds)
        {
            table.AddRow(
                new FittedCell(kind.Code, Colour(kind.Severity)),
                From(kind),
                kind.Count.ToString("N0", CultureInfo.InvariantCulture),
                Time(kind.FirstSeen),
                Time(kind.LastSeen),
                kind.RunbookStep);
        }

        table.Write(console);
        RenderHistogram(report, line => console.MarkupLine(Terminal.Safe(Terminal.Clip(console, line))));
        console.WriteLine();
        foreach (var kind in report.Kinds)
        {
            console.MarkupLine($"[bold {Colour(kind.Severity)}]{Terminal.Safe(kind.Code)}[/]: {Terminal.Safe(kind.Title)} — {Terminal.Safe(kind.Advice)}");
            foreach (var sample in kind.Samples)
            {
                console.MarkupLine($"    [dim]{Terminal.Safe(sample)}[/]");
            }
        }
    }

    private static void RenderMarkdown(LogReport report, TextWriter output)
    {
        output.WriteLine($"### PgMedic logs: **{report.Status.ToString().ToUpperInvariant()}**");
        output.WriteLine();
        output.WriteLine(Verdict(report));
        if (report.Kinds.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("| kind | from | count | first seen | last seen | runbook |");
        output.WriteLine("|---|---|---:|---|---|---|");
        foreach (var kind in report.Kinds)
        {
            output.WriteLine(Invariant($"| `{kind.Code}` | {From(kind)} | {kind.Count} | {Time(kind.FirstSeen)} | {Time(kind.LastSeen)} | {kind.RunbookStep} |"));
        }

        output.WriteLine();
        output.WriteLine("```");
        RenderHistogram(report, output.WriteLine);
        output.WriteLine("```");
        foreach (var kind in report.Kinds)
        {
            output.WriteLine();
            output.WriteLine($"- **`{kind.Code}`** {kind.Title} — {kind.Advice}");
            foreach (var sample in kind.Samples)
            {
                output.WriteLine($"  - `{sample.Replace("`", "'", StringComparison.Ordinal)}`");
            }
        }
    }

    private static void RenderHistogram(LogReport report, Action<string> write)
    {
        if (report.PerMinute.Count == 0)
        {
            return;
        }

        write(Invariant($"per minute (UTC){(report.PerMinute.Count > HistogramRows ? $", busiest {HistogramRows} of {report.PerMinute.Count} minutes" : string.Empty)}:"));
        var rows = report.PerMinute.Count > HistogramRows
            ? report.PerMinute.OrderByDescending(m => m.Total).Take(HistogramRows).OrderBy(m => m.Minute).ToList()
            : report.PerMinute.ToList();
        var max = Math.Max(1, rows.Max(m => m.Total));
        foreach (var minute in rows)
        {
            var bar = new string('█', (int)Math.Max(1, Math.Round(minute.Total * (double)BarWidth / max)));
            var kinds = string.Join(", ", minute.ByKind.OrderByDescending(kv => kv.Value).Select(kv => Invariant($"{kv.Key} {kv.Value}")));
            write(Invariant($"  {minute.Minute:yyyy-MM-dd HH:mm} {bar,-30} {minute.Total,6}  {kinds}"));
        }
    }

    /// <summary>Who wrote the lines, and which drivers they named: "application via psycopg2, SQLAlchemy".</summary>
    private static string From(LogKindSummary kind) =>
        kind.Drivers.Count == 0 ? kind.Source : $"{kind.Source} via {string.Join(", ", kind.Drivers)}";

    private static string Span(LogReport report) =>
        report.FirstSeen is { } first && report.LastSeen is { } last
            ? Invariant($"{first:yyyy-MM-dd HH:mm:ss} to {last:yyyy-MM-dd HH:mm:ss} UTC")
            : "no times found";

    private static string Time(DateTimeOffset? time) => time is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    private static string Colour(Core.Diagnosis.Severity severity) => severity switch
    {
        Core.Diagnosis.Severity.Critical => "red",
        Core.Diagnosis.Severity.Warning => "yellow",
        _ => "blue",
    };

    private static string Megabytes(long bytes) => (bytes / 1_048_576.0).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
