using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.SessionHistory;
using Spectre.Console;

namespace PgMedic.Cli.History;

internal static class HistoryRenderer
{
    private const int Shown = 10;

    public static void Render(HistoryReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.HistoryReport, Markdown, Table);

    public static string Headline(HistoryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var m = report.Moment;
        var when = m.Samples == 1
            ? Invariant($"at {m.At:yyyy-MM-dd HH:mm:ss} UTC (sample {m.From:HH:mm:ss})")
            : Invariant($"from {m.From:yyyy-MM-dd HH:mm:ss} to {m.To:HH:mm:ss} UTC ({m.Samples} samples{(m.Downsampled ? ", some thinned to one a minute" : string.Empty)})");
        var count = m.Samples == 1 && !m.Downsampled ? Invariant($"{m.ClientBackendsPeak} client sessions") : Invariant($"{m.ClientBackends:0.#} client sessions on average, {m.ClientBackendsPeak} at the most");
        return $"{report.Target} {when}: {count}";
    }

    public static IEnumerable<string> Lines(ActivityMoment m)
    {
        ArgumentNullException.ThrowIfNull(m);
        yield return "by state: " + Counts(m.ByState.Select(c => (c.Name, c.Sessions, c.Peak)), m);
        yield return "by wait event: " + (m.ByWaitEvent.Count == 0 ? "none" : Counts(m.ByWaitEvent.Select(w => ($"{w.WaitEventType}:{w.WaitEvent}", w.Sessions, w.Peak)), m));
        yield return "by application: " + Counts(m.ByApplication.Select(c => (Name(c.Name), c.Sessions, c.Peak)), m);
        yield return "by user: " + Counts(m.ByUser.Select(c => (Name(c.Name), c.Sessions, c.Peak)), m);
        yield return "by client: " + Counts(m.ByClientAddress.Select(c => (c.Name.Length == 0 ? "(local socket)" : c.Name, c.Sessions, c.Peak)), m);
        yield return "by database: " + Counts(m.ByDatabase.Select(c => (Name(c.Name), c.Sessions, c.Peak)), m);
    }

    /// <summary>A lock tree as indented lines: the holder first, each waiter below the session it waits for.</summary>
    public static IEnumerable<string> Tree(IReadOnlyList<LockNode> roots, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(roots);
        foreach (var node in roots)
        {
            var s = node.Session;
            yield return indent + (indent.Length == 0 ? "holder " : "└ waits: ") + Invariant($"pid {node.Pid}") +
                (s is null ? " (not sampled)" : Invariant($" {Name(s.Application)} {s.State}{(s.WaitEventType is null ? string.Empty : $" {s.WaitEventType}:{s.WaitEvent}")}, held {Held(s)}{(s.Query is null ? string.Empty : $" — {s.Query}")}"));
            foreach (var line in Tree(node.Waiters, indent + "  "))
            {
                yield return line;
            }
        }
    }

    private static void Table(HistoryReport report, IAnsiConsole console)
    {
        var m = report.Moment;
        console.MarkupLine($"[bold]{Terminal.Safe(Headline(report))}[/]");
        foreach (var line in Lines(m))
        {
            console.MarkupLine(Terminal.Safe(line));
        }

        console.WriteLine();
        var holders = new FittedTable(
            new FittedColumn("application"),
            new FittedColumn("sessions", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("peak", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("states", ColumnFit.Keep),
            new FittedColumn("fingerprint", ColumnFit.Keep),
            new FittedColumn("statement", ColumnFit.Clip))
        {
            Title = "holders by application and statement",
        };
        foreach (var h in m.Holders.Take(Shown))
        {
            holders.AddRow(Name(h.Application), Number(h.Sessions), h.Peak.ToString(CultureInfo.InvariantCulture), States(h.ByState), h.Fingerprint ?? "-", h.Query ?? (h.ByState.ContainsKey("idle") && h.ByState.Count == 1 ? "(idle: last statement not kept)" : "-"));
        }

        holders.Write(console);
        if (m.Sessions.Count > 0)
        {
            var sessions = new FittedTable(
                new FittedColumn("pid", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("state", ColumnFit.Keep),
                new FittedColumn("wait", ColumnFit.Keep),
                new FittedColumn("application"),
                new FittedColumn("user"),
                new FittedColumn("client"),
                new FittedColumn("held", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("statement", ColumnFit.Clip))
            {
                Title = "longest-held sessions",
            };
            foreach (var s in m.Sessions.Take(Shown))
            {
                sessions.AddRow(s.Pid.ToString(CultureInfo.InvariantCulture), s.State, s.WaitEventType is null ? "-" : $"{s.WaitEventType}:{s.WaitEvent}", Name(s.Application), Name(s.User), s.ClientAddress ?? "-", Held(s), s.Query ?? "-");
            }

            sessions.Write(console);
        }

        console.MarkupLine(m.LockTree.Count == 0 ? "lock tree: no session waited for another's lock" : "[bold]lock tree[/]");
        foreach (var line in Tree(m.LockTree))
        {
            console.MarkupLine(Terminal.Safe("  " + line));
        }

        console.MarkupLine($"[dim]{Terminal.Safe($"read from {report.Source}")}[/]");
    }

    private static void Markdown(HistoryReport report, TextWriter output)
    {
        var m = report.Moment;
        output.WriteLine($"### {Headline(report)}");
        output.WriteLine();
        foreach (var line in Lines(m))
        {
            output.WriteLine($"- {line}");
        }

        output.WriteLine();
        output.WriteLine("| application | sessions | peak | states | fingerprint | statement |");
        output.WriteLine("|---|---:|---:|---|---|---|");
        foreach (var h in m.Holders.Take(Shown))
        {
            output.WriteLine($"| {Name(h.Application)} | {Number(h.Sessions)} | {h.Peak} | {States(h.ByState)} | {h.Fingerprint ?? "-"} | {(h.Query ?? "-").Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        if (m.LockTree.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Lock tree:");
            output.WriteLine();
            foreach (var line in Tree(m.LockTree))
            {
                output.WriteLine($"    {line}");
            }
        }

        output.WriteLine();
        output.WriteLine($"Read from {report.Source}.");
    }

    private static string Counts(IEnumerable<(string Name, double Sessions, int Peak)> counts, ActivityMoment m)
    {
        var exact = m.Samples == 1 && !m.Downsampled;
        var parts = counts.Take(8).Select(c => exact ? $"{c.Name} {c.Peak}" : Invariant($"{c.Name} {c.Sessions:0.#} (peak {c.Peak})")).ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private static string States(IReadOnlyDictionary<string, double> byState) =>
        string.Join(", ", byState.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {Number(s.Value)}"));

    private static string Held(MomentSession s) =>
        (s.TransactionAgeSeconds ?? s.QueryAgeSeconds) is { } seconds ? Core.Common.Duration.Format(TimeSpan.FromSeconds(Math.Round(seconds))) : "-";

    private static string Name(string? name) => string.IsNullOrEmpty(name) ? "(none)" : name;

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
