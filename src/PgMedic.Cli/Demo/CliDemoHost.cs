using PgMedic.Cli.Diagnosis;
using PgMedic.Cli.Reporting;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Reporting;
using PgMedic.Demo;

namespace PgMedic.Cli.Demo;

/// <summary>The CLI as the demo's host: its output, its clock, and its verbs run in-process, never asking.</summary>
internal sealed class CliDemoHost(CliContext context) : IDemoHost
{
    public TextWriter Out => context.Out;

    public TimeProvider Time => context.Time;

    public Task<int> RunCommandAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        CliApp.RunAsync([.. args], context with { Input = null }, cancellationToken);

    public string Describe(Fix fix) => FixText.Of(fix);

    public string RenderReport(IncidentReport report) => ReportRenderer.Markdown(report);
}
