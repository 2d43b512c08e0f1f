using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Platforms;
using PgMedic.Core.Probing;
using Spectre.Console;

namespace PgMedic.Cli.Probing;

internal static class ProbeRenderer
{
    public static void Render(ProbeResult result, OutputFormat format, CliContext context) =>
        Formats.Write(result, format, context, CliJsonContext.Dialect.ProbeResult, RenderMarkdown, RenderTable);

    /// <summary>The next step in this door's words: for a platform's private host name, that platform's commands.</summary>
    /// <param name="verb">The pgmedic verb that probed, repeated in the commands the advice shows.</param>
    public static string? Next(ProbeResult result, string verb)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Reason == ProbeReason.Dns && result.PrivateNetwork is { } network ? PrivateNetworkText.Advice(network, verb) : result.Advice;
    }

    public static string Verdict(ProbeResult result) => result.Outcome switch
    {
        ProbeOutcome.Accepting => $"accepting connections ({result.ConnectMilliseconds?.ToString("0.0", CultureInfo.InvariantCulture)} ms to connect, PostgreSQL {result.ServerVersion})",
        ProbeOutcome.Rejecting => $"reachable but rejecting this login: {result.Reason}",
        ProbeOutcome.NoResponse => $"no response: {result.Reason}",
        _ => "no attempt",
    };

    private static void RenderTable(ProbeResult result, IAnsiConsole console)
    {
        var colour = result.Outcome switch
        {
            ProbeOutcome.Accepting => "green",
            ProbeOutcome.Rejecting => "yellow",
            _ => "red",
        };
        console.MarkupLine($"[bold {colour}]{Terminal.Safe(ProbeOutcomeName.Of(result.Outcome))}[/] {Terminal.Safe(result.Target)} — {Terminal.Safe(Verdict(result))}");
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in Rows(result))
        {
            grid.AddRow(new Text(name), new Text(value));
        }

        console.Write(grid);
        if (FullServer.RefusesEveryone(result))
        {
            // The exits one a line: this is read at 3 a.m. on a server nobody can log in to.
            console.MarkupLine($"[bold]Next:[/] {Terminal.Safe(FullServer.RefusesEveryoneSummary)}, so logging in to look will not work. What still works:");
            foreach (var (exit, i) in FullServer.Exits.Select((exit, i) => (exit, i)))
            {
                console.MarkupLine($"  {i + 1}. {Terminal.Safe(exit)}");
            }
        }
        else if (Next(result, "probe") is { } advice)
        {
            console.MarkupLine($"[bold]Next:[/] {Terminal.Safe(advice)}");
        }
    }

    private static void RenderMarkdown(ProbeResult result, TextWriter output)
    {
        output.WriteLine($"**Probe `{result.Target}`: {ProbeOutcomeName.Of(result.Outcome)}** — {Verdict(result)}");
        output.WriteLine();
        output.WriteLine("| | |");
        output.WriteLine("|---|---|");
        foreach (var (name, value) in Rows(result))
        {
            output.WriteLine($"| {name} | {value.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        if (Next(result, "probe") is { } advice)
        {
            output.WriteLine();
            output.WriteLine($"**Next:** {advice}");
        }
    }

    private static IEnumerable<(string Name, string Value)> Rows(ProbeResult result)
    {
        yield return ("outcome", ProbeOutcomeName.Of(result.Outcome));
        if (result.Reason is not null)
        {
            yield return ("reason", result.Reason);
        }

        if (result.SqlState is not null)
        {
            yield return ("sqlstate", result.SqlState);
        }

        if (result.Message is not null)
        {
            yield return ("message", result.Message);
        }

        if (result.PrivateNetwork is { } network)
        {
            yield return ("network", $"{PlatformNames.Title(network.Platform)} private network ({network.Suffix})");
        }

        if (result.ServerVersion is not null)
        {
            yield return ("server", "PostgreSQL " + result.ServerVersion);
        }

        if (result.ConnectMilliseconds is { } connect)
        {
            yield return ("connect", connect.ToString("0.00", CultureInfo.InvariantCulture) + " ms");
        }

        if (result.QueryMilliseconds is { } query)
        {
            yield return ("query", query.ToString("0.00", CultureInfo.InvariantCulture) + " ms");
        }

        yield return ("exit code", ((int)result.ExitCode).ToString(CultureInfo.InvariantCulture));
    }
}
