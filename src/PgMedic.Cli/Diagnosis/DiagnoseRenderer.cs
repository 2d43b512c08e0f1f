using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Cli.Probing;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using Spectre.Console;

namespace PgMedic.Cli.Diagnosis;

internal static class DiagnoseRenderer
{
    private const int BarWidth = 40;

    public static void Render(DiagnosisReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.DiagnosisReport, RenderMarkdown, RenderTable);

    /// <summary>The one line an on-call engineer reads first.</summary>
    public static string Verdict(DiagnosisReport report)
    {
        var top = report.Findings.FirstOrDefault(f => f.Severity != Severity.Info);
        var usage = report.Usage is { } u ? $"{u.InUse()}/{u.UsableSlots} usable slots ({u.Percentage()} %)" : ProbeRenderer.Verdict(report.Probe);
        var problems = report.Findings.Count(f => f.Severity != Severity.Info);
        return top is null
            ? $"{usage}; no problems found"
            : $"{usage}; {problems} problem(s), worst: {top.Summary}";
    }

    public static string Colour(Severity severity) => severity switch
    {
        Severity.Critical => "red",
        Severity.Warning => "yellow",
        _ => "blue",
    };

    public static string Colour(DiagnosisStatus status) => status switch
    {
        DiagnosisStatus.Critical or DiagnosisStatus.Unknown => "red",
        DiagnosisStatus.Warning => "yellow",
        _ => "green",
    };

    /// <summary>A bar of usage against usable slots with the 80 % and 90 % marks.</summary>
    public static string UsageBar(double percent)
    {
        var filled = (int)Math.Round(Math.Clamp(percent, 0, 100) / 100 * BarWidth);
        var chars = new char[BarWidth];
        for (var i = 0; i < BarWidth; i++)
        {
            chars[i] = i < filled ? '█' : i == BarWidth * 8 / 10 || i == BarWidth * 9 / 10 ? '┊' : '░';
        }

        return new string(chars);
    }

    private static void RenderTable(DiagnosisReport report, IAnsiConsole console)
    {
        var statusText = report.Status.ToString().ToUpperInvariant();
        console.MarkupLine($"[bold {Colour(report.Status)}]{statusText}[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(Verdict(report))}");
        if (report.Server is { } server && report.Usage is { } usage)
        {
            var colour = usage.PercentOfUsable >= 90 ? "red" : usage.PercentOfUsable >= 80 ? "yellow" : "green";
            console.MarkupLine($"usage  [{colour}]{UsageBar(usage.PercentOfUsable)}[/] {usage.InUse()}/{usage.UsableSlots} ({usage.Percentage()} %)  marks at 80 % and 90 %");
            if (!usage.Exact)
            {
                console.MarkupLine(Terminal.Safe(Unclassified(usage)));
            }

            console.MarkupLine(Terminal.Safe($"server PostgreSQL {server.Version} · max_connections {server.MaxConnections} − superuser_reserved {server.SuperuserReservedConnections} − reserved {server.ReservedConnections} = {server.UsableSlots} usable · {usage.OtherBackends} background processes not counted"));
            console.MarkupLine(Terminal.Safe("states " + string.Join(", ", usage.ByState.Select(kv => $"{kv.Key} {kv.Value}"))));
        }

        if (report.Groups is { } groups && groups.ByApplication.Count > 0)
        {
            var table = new FittedTable(
                new FittedColumn("application"),
                new FittedColumn("total", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("active", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("idle", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("idle in tx", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("other", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("oldest in state", ColumnFit.Keep))
            {
                Title = "connections by application",
            };
            foreach (var group in groups.ByApplication.Take(10))
            {
                table.AddRow(
                    group.Name,
                    Count(group.Total),
                    Count(group.Active),
                    Count(group.Idle),
                    Count(group.IdleInTransaction),
                    Count(group.Other),
                    group.OldestStateAgeSeconds is { } s ? Duration.Format(TimeSpan.FromSeconds(s)) : "-");
            }

            table.Write(console);
            console.MarkupLine(Terminal.Safe("users: " + Summary(groups.ByUser)));
            console.MarkupLine(Terminal.Safe("clients: " + Summary(groups.ByClient)));
            console.MarkupLine(Terminal.Safe("databases: " + Summary(groups.ByDatabase)));
        }

        if (report.Pools is { Count: > 0 } pools)
        {
            var table = new FittedTable(
                new FittedColumn("endpoint"),
                new FittedColumn("pool"),
                new FittedColumn("size", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("checked out", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("idle", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("waiting", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("timeouts", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("leaks", ColumnFit.Keep, RightAligned: true))
            {
                Title = "application pools (PgMedic.Guard)",
            };
            foreach (var pool in pools)
            {
                table.AddRow(pool.Error is null
                    ? [pool.Endpoint, pool.Name ?? "-", ViewCells.Known(pool.MaxConnections), Count(pool.CheckedOut), ViewCells.Known(pool.Idle), ViewCells.Known(pool.Waiting), Count((int)pool.Timeouts), Count((int)pool.Leaks)]
                    : [pool.Endpoint, new FittedCell($"unreadable: {pool.Error}", "red"), string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty]);
            }

            table.Write(console);
        }

        if (report.PgBouncer is { } bouncer)
        {
            PgBouncer.PgBouncerRenderer.RenderTable(bouncer, console);
        }

        console.WriteLine();
        if (report.Findings.Count == 0)
        {
            console.MarkupLine("[green]No findings.[/]");
        }

        foreach (var finding in report.Findings)
        {
            console.MarkupLine($"[bold {Colour(finding.Severity)}]{finding.Severity.ToString().ToUpperInvariant()}[/] [bold]{Terminal.Safe(finding.Code)}[/]: {Terminal.Safe(finding.Summary)}");
            foreach (var line in finding.Evidence)
            {
                console.MarkupLine($"    {Terminal.Safe(line)}");
            }

            console.MarkupLine($"    [dim]runbook:[/] {Terminal.Safe(finding.RunbookStep)}");
            console.MarkupLine($"    [dim]fix:[/] [bold]{Terminal.Safe(FixLine(report, finding))}[/]");
        }
    }

    private static void RenderMarkdown(DiagnosisReport report, TextWriter output)
    {
        output.WriteLine($"### PgMedic diagnosis: **{report.Status.ToString().ToUpperInvariant()}** — `{report.Target}`");
        output.WriteLine();
        output.WriteLine(Verdict(report));
        if (report.Server is { } server && report.Usage is { } usage)
        {
            output.WriteLine();
            output.WriteLine($"- Usage: `{UsageBar(usage.PercentOfUsable)}` {usage.InUse()}/{usage.UsableSlots} usable slots ({usage.Percentage()} %)");
            if (!usage.Exact)
            {
                output.WriteLine($"- {Unclassified(usage)}");
            }

            output.WriteLine($"- Server: PostgreSQL {server.Version}; max_connections {server.MaxConnections} − superuser_reserved {server.SuperuserReservedConnections} − reserved {server.ReservedConnections} = {server.UsableSlots} usable");
            output.WriteLine($"- States: {string.Join(", ", usage.ByState.Select(kv => $"{kv.Key} {kv.Value}"))}");
        }

        if (report.Groups is { } groups && groups.ByApplication.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("| application | total | active | idle | idle in tx | oldest in state |");
            output.WriteLine("|---|---:|---:|---:|---:|---|");
            foreach (var group in groups.ByApplication.Take(10))
            {
                var oldest = group.OldestStateAgeSeconds is { } s ? Duration.Format(TimeSpan.FromSeconds(s)) : "-";
                output.WriteLine($"| {Cell(group.Name)} | {group.Total} | {group.Active} | {group.Idle} | {group.IdleInTransaction} | {oldest} |");
            }

            output.WriteLine();
            output.WriteLine($"Users: {Summary(groups.ByUser)} · Clients: {Summary(groups.ByClient)} · Databases: {Summary(groups.ByDatabase)}");
        }

        if (report.Pools is { Count: > 0 } pools)
        {
            output.WriteLine();
            output.WriteLine("| application pool | size | checked out | idle | waiting | timeouts | leaks |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var pool in pools)
            {
                output.WriteLine(pool.Error is null
                    ? $"| {Cell(pool.Endpoint)} | {ViewCells.Known(pool.MaxConnections)} | {pool.CheckedOut} | {ViewCells.Known(pool.Idle)} | {ViewCells.Known(pool.Waiting)} | {pool.Timeouts} | {pool.Leaks} |"
                    : $"| {Cell(pool.Endpoint)} | unreadable: {Cell(pool.Error)} | | | | | |");
            }
        }

        if (report.PgBouncer is { } bouncer)
        {
            PgBouncer.PgBouncerRenderer.RenderMarkdown(bouncer, output);
        }

        output.WriteLine();
        output.WriteLine("#### Findings");
        if (report.Findings.Count == 0)
        {
            output.WriteLine("None.");
        }

        foreach (var finding in report.Findings)
        {
            output.WriteLine($"- **{finding.Severity.ToString().ToUpperInvariant()} `{finding.Code}`** {finding.Summary}");
            foreach (var line in finding.Evidence)
            {
                output.WriteLine($"  - {line}");
            }

            output.WriteLine($"  - Runbook: {finding.RunbookStep}");
            output.WriteLine($"  - Fix: `{FixLine(report, finding)}`");
        }
    }

    /// <summary>A finding's fix; an unreachable private host name gets its platform's commands instead of "check DNS".</summary>
    private static string FixLine(DiagnosisReport report, Finding finding) =>
        finding.Code == FindingCodes.ServerUnreachable && ProbeRenderer.Next(report.Probe, "diagnose") is { } next && report.Probe.PrivateNetwork is not null
            ? next
            : FixText.Of(finding.Fix);

    /// <summary>Why usage is a range: said next to the bar, which is drawn to the range's worst end.</summary>
    public static string Unclassified(Usage usage) =>
        $"range: this role cannot see whether {usage.UnclassifiedSessions} session(s) of other roles are client backends or background workers; the bar shows the most there can be";

    private static string Summary(IReadOnlyList<SessionGroup> groups) =>
        groups.Count == 0 ? "-" : string.Join(", ", groups.Take(6).Select(g => $"{g.Name} {g.Total}")) + (groups.Count > 6 ? $", … ({groups.Count - 6} more)" : string.Empty);

    private static string Count(int value) => value == 0 ? "-" : value.ToString(CultureInfo.InvariantCulture);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
