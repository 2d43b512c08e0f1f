using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// Passes a run's events on to what shows them and keeps count of what was done, so a failure after
/// the first action can still say what happened (<see cref="Common.ActedException"/>).
/// </summary>
internal sealed class ActionLedger(IRemediationObserver inner) : IRemediationObserver
{
    private int _signalled;
    private int _attempted;
    private int _inFlight;
    private readonly List<string> _hooks = [];

    public bool Acted => _attempted > 0 || _inFlight > 0 || _hooks.Count > 0;

    /// <summary>"2 of 3 sessions signalled; hook restart started", or null when nothing was done.</summary>
    public string? Done() => !Acted ? null
        : string.Join("; ", new[]
        {
            _attempted > 0 ? $"{_signalled} of {_attempted} session(s) signalled" : null,

            // Sent, but the answer never came (the connection was lost): they may or may not have been signalled.
            _inFlight > 0 ? $"{_inFlight} session(s) sent to the server to signal, not confirmed (check with pgmedic activity)" : null,
            _hooks.Count > 0 ? string.Join(", ", _hooks) : null,
        }.OfType<string>());

    public void Findings(IReadOnlyList<Finding> findings) => inner.Findings(findings);

    public void Playbook(HookSettings hooks, string database, RemediationPlan plan) => inner.Playbook(hooks, database, plan);

    public void Plan(RemediationPlan plan) => inner.Plan(plan);

    public void Step(string name, string? runbookStep, int sessions) => inner.Step(name, runbookStep, sessions);

    public void StepSkipped(string name, StepSkip why) => inner.StepSkipped(name, why);

    public void Acting(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _inFlight = plan.Actions.Count;
        inner.Acting(plan);
    }

    public void Results(IReadOnlyList<ActionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        _inFlight = 0;
        _attempted += results.Count;
        _signalled += results.Count(r => r.Succeeded);
        inner.Results(results);
    }

    public void Verification(Verification verification) => inner.Verification(verification);

    public void Health(HealthCheckResult result) => inner.Health(result);

    public void DatabaseWait(ProbeResult probe, TimeSpan elapsed) => inner.DatabaseWait(probe, elapsed);

    public void HookStarted(string name, string command)
    {
        _hooks.Add($"hook {name} started");
        inner.HookStarted(name, command);
    }

    public void Hook(HookResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _hooks.Remove($"hook {result.Name} started");
        _hooks.Add($"hook {result.Name} {(result.Succeeded ? "ran" : "failed")}");
        inner.Hook(result);
    }
}
