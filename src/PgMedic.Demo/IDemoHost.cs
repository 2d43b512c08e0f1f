using PgMedic.Core.Diagnosis;
using PgMedic.Core.Reporting;

namespace PgMedic.Demo;

/// <summary>What the demo needs from the program that runs it (the CLI): where to print, the clock, and its own verbs.</summary>
public interface IDemoHost
{
    TextWriter Out { get; }

    TimeProvider Time { get; }

    /// <summary>Runs a pgmedic verb exactly as a user would type it (non-interactive); its exit code.</summary>
    Task<int> RunCommandAsync(IReadOnlyList<string> args, CancellationToken cancellationToken);

    /// <summary>A finding's fix in the host's words.</summary>
    string Describe(Fix fix);

    /// <summary>The incident report as the host's <c>report</c> verb writes it.</summary>
    string RenderReport(IncidentReport report);
}
