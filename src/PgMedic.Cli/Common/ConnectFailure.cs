using PgMedic.Cli.Probing;
using PgMedic.Core.Probing;

namespace PgMedic.Cli.Common;

/// <summary>What a read command prints when it could not even open its one connection; the exit code is the probe's.</summary>
internal static class ConnectFailure
{
    public static int Report(ProbeResult probe, string verb, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var detail = probe.Message is { } message ? $" ({message})" : string.Empty;
        context.Error.WriteLine($"pgmedic: cannot read {probe.Target}: {ProbeRenderer.Verdict(probe)}{detail}");
        if (ProbeRenderer.Next(probe, verb) is { } advice)
        {
            context.Error.WriteLine($"pgmedic: next: {advice}");
        }

        return (int)probe.ExitCode;
    }
}
