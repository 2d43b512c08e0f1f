using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

/// <summary>
/// What a run shows as it happens, for doors that show it live (the CLI's table output, <c>top</c>);
/// the report at the end holds all of it too.
/// </summary>
public interface IRemediationObserver
{
    /// <summary>heal: the findings at warning or worse that the plan answers.</summary>
    void Findings(IReadOnlyList<Finding> findings) { }

    /// <summary>emergency: the playbook, before its plan.</summary>
    void Playbook(HookSettings hooks, string database, RemediationPlan plan) { }

    void Plan(RemediationPlan plan) { }

    /// <summary>A heal step, re-planned from a fresh snapshot, is about to run with this many sessions.</summary>
    void Step(string name, string? runbookStep, int sessions) { }

    /// <summary>A step did not run, and why.</summary>
    void StepSkipped(string name, StepSkip why) { }

    /// <summary>The plan's actions are about to be sent to the server: from here on, sessions may be signalled.</summary>
    void Acting(RemediationPlan plan) { }

    void Results(IReadOnlyList<ActionResult> results) { }

    void Verification(Verification verification) { }

    void HookStarted(string name, string command) { }

    void Hook(HookResult result) { }

    /// <summary>After restart-database: the server's answer changed while PgMedic waits for it (down, starting up, accepting).</summary>
    void DatabaseWait(ProbeResult probe, TimeSpan elapsed) { }

    /// <summary>A health URL answered healthy, or its deadline passed.</summary>
    void Health(HealthCheckResult result) { }
}

/// <summary>Why a step did not run.</summary>
public enum StepSkip
{
    /// <summary>The server was healthy after an earlier step.</summary>
    Healthy,

    /// <summary>No hook command was configured for it.</summary>
    NoHook,
}

/// <summary>An observer that shows nothing (the monitor's API answers with the report).</summary>
public sealed class SilentObserver : IRemediationObserver
{
    public static SilentObserver Instance { get; } = new();
}
