using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Core.Slo;
using Spectre.Console;

namespace PgMedic.Cli.Slo;

internal static class SloRenderer
{
    public static void Render(SloReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.SloReport, Markdown, Table);

    /// <summary>The first line: availability against the objective, and whose attempts.</summary>
    public static string Headline(SloReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Slo;
        var availability = s.AvailabilityPercent is { } a ? Invariant($"{a:0.###} %") : "no attempts yet";
        return Invariant($"{report.Target}: availability {availability} over {Duration.Format(TimeSpan.FromSeconds(s.WindowSeconds))} (objective {s.ObjectivePercent:0.###} %) — {s.Attempts:N0} {Whose(s.Source)}, {s.Failures:N0} failed");
    }

    public static string Budget(SloStatus s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Invariant($"error budget: {s.BudgetRemainingRatio * 100:0.#} % left — {s.BudgetRemainingAttempts:0.#} of {s.BudgetAttempts:0.#} allowed failures, {s.BudgetRemainingMinutes:0.#} of {s.BudgetMinutes:0.#} minutes of complete outage");
    }

    public static string Coverage(SloStatus s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Invariant($"coverage: {s.CoverageRatio * 100:0.#} % of the window observed{(s.ObservedSince is { } since && since > s.From ? $" since {since:yyyy-MM-dd HH:mm} UTC" : string.Empty)} (unobserved time counts neither good nor bad)");
    }

    private static void Table(SloReport report, IAnsiConsole console)
    {
        var s = report.Slo;
        var colour = report.ExitCode switch { 0 => "green", 1 => "yellow", _ => "red" };
        console.MarkupLine($"[bold {colour}]{Verdict(report)}[/] {Terminal.Safe(Headline(report))}");
        console.MarkupLine(Terminal.Safe(Budget(s)));
        console.MarkupLine(Terminal.Safe(Coverage(s)));
        var table = new FittedTable(
            new FittedColumn("burn-rate alert", ColumnFit.Keep),
            new FittedColumn("long window", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("short window", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("fires above", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("severity", ColumnFit.Keep),
            new FittedColumn("now", ColumnFit.Keep));
        foreach (var b in s.BurnRates)
        {
            table.AddRow(
                $"{Window(b.LongWindowSeconds)} / {Window(b.ShortWindowSeconds)}",
                Invariant($"{b.LongBurnRate:0.##}×"),
                Invariant($"{b.ShortBurnRate:0.##}×"),
                Invariant($"{b.Factor:0.#}×"),
                b.Severity.ToString().ToLowerInvariant(),
                b.Burning ? new FittedCell("burning", "red") : "ok");
        }

        table.Write(console);
        console.MarkupLine($"[dim]{Terminal.Safe($"read from {report.Source}")}[/]");
    }

    private static void Markdown(SloReport report, TextWriter output)
    {
        var s = report.Slo;
        output.WriteLine($"### PgMedic objective: **{Verdict(report)}** — `{report.Target}`");
        output.WriteLine();
        output.WriteLine($"- {Headline(report)}");
        output.WriteLine($"- {Budget(s)}");
        output.WriteLine($"- {Coverage(s)}");
        output.WriteLine();
        output.WriteLine("| burn-rate alert | long window | short window | fires above | severity | now |");
        output.WriteLine("|---|---:|---:|---:|---|---|");
        foreach (var b in s.BurnRates)
        {
            output.WriteLine(Invariant($"| {Window(b.LongWindowSeconds)} / {Window(b.ShortWindowSeconds)} | {b.LongBurnRate:0.##}× | {b.ShortBurnRate:0.##}× | {b.Factor:0.#}× | {b.Severity.ToString().ToLowerInvariant()} | {(b.Burning ? "burning" : "ok")} |"));
        }

        output.WriteLine();
        output.WriteLine($"Read from {report.Source}.");
    }

    private static string Verdict(SloReport report) => report.ExitCode switch
    {
        0 => "WITHIN BUDGET",
        1 => "BURNING",
        2 => report.Slo.BudgetRemainingRatio <= 0 ? "BUDGET SPENT" : "BURNING FAST",
        _ => "NO DATA",
    };

    private static string Whose(FailureSignal source) => source == FailureSignal.Application ? "checkouts by the services" : "connection attempts by the monitor's probe";

    private static string Window(double seconds) => Duration.Format(TimeSpan.FromSeconds(seconds));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
