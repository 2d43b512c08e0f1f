using PgMedic.Cli.Output;
using PgMedic.Cli.Remediation;
using PgMedic.Core.Common;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Top;

/// <summary>The dialog a key opens: the engine's plan as it stands, guardrails applied, spared sessions and why.</summary>
internal static class TopDialogs
{
    public static TopDialog From(ConfirmationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancel = request.Verb == RemediationVerb.Cancel;
        var lines = new List<string>();
        foreach (var plan in request.Plans)
        {
            foreach (var a in plan.Actions)
            {
                var age = a.StateAgeSeconds is { } s ? " for " + Duration.Format(TimeSpan.FromSeconds(s)) : string.Empty;
                lines.Add($"{(cancel ? "cancel the query of" : "terminate")} pid {a.Pid} {ViewCells.Text(a.Application)} ({ViewCells.Text(a.User)}@{ViewCells.Text(a.Database)}) {ViewCells.Text(a.State)}{age}");
            }

            foreach (var spared in plan.Spared)
            {
                lines.Add($"spared pid {spared.Pid} ({ViewCells.Text(spared.User)}, {ViewCells.Text(spared.Application)}): {SpareText.Of(spared)}");
            }
        }

        var question = cancel
            ? $"Cancel {request.Sessions} quer{(request.Sessions == 1 ? "y" : "ies")} in {request.Database}? (the sessions stay connected)"
            : $"Terminate {request.Sessions} session(s) in {request.Database}?";
        return new TopDialog(question, lines, CanRun: true);
    }
}
