using System.Text.Json.Serialization;

namespace PgMedic.Core.Remediation;

/// <summary>The four remediations; every door runs them through one engine.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RemediationVerb>))]
public enum RemediationVerb
{
    [JsonStringEnumMemberName("terminate")]
    Terminate,

    [JsonStringEnumMemberName("cancel")]
    Cancel,

    [JsonStringEnumMemberName("heal")]
    Heal,

    [JsonStringEnumMemberName("emergency")]
    Emergency,
}

/// <summary>Where a remediation was started: the door, recorded in the audit log and in the run's lock.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RemediationOrigin>))]
public enum RemediationOrigin
{
    [JsonStringEnumMemberName("cli")]
    Cli,

    [JsonStringEnumMemberName("serve")]
    Serve,

    [JsonStringEnumMemberName("top")]
    Top,
}

/// <summary>What became of one step of a run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>Shown, not run (dry run, declined, or another run holds the lock).</summary>
    [JsonStringEnumMemberName("planned")]
    Planned,

    [JsonStringEnumMemberName("nothing-to-do")]
    NothingToDo,

    [JsonStringEnumMemberName("done")]
    Done,

    /// <summary>Some action did not go through (permission denied, not confirmed, failed).</summary>
    [JsonStringEnumMemberName("partly-done")]
    PartlyDone,

    /// <summary>Not needed: the server was already healthy, or no hook was configured.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>How a whole run ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunOutcome>))]
public enum RunOutcome
{
    /// <summary>The plan was only shown: no confirmation was asked for (no <c>--yes</c>, not a terminal, a dry-run request).</summary>
    [JsonStringEnumMemberName("dry-run")]
    DryRun,

    /// <summary>The door asked and the answer was no.</summary>
    [JsonStringEnumMemberName("declined")]
    Declined,

    /// <summary>No session matched, or every one was spared.</summary>
    [JsonStringEnumMemberName("nothing-to-do")]
    NothingToDo,

    /// <summary>Another remediation holds this server's lock: nothing was done.</summary>
    [JsonStringEnumMemberName("busy")]
    Busy,

    [JsonStringEnumMemberName("executed")]
    Executed,

    /// <summary>A playbook step failed and the run stopped there (emergency).</summary>
    [JsonStringEnumMemberName("stopped")]
    Stopped,
}

/// <summary>The lower-case names of verbs and doors (the same as their JSON names), for records and labels.</summary>
public static class RemediationText
{
    public static string Verb(RemediationVerb verb) => verb switch
    {
        RemediationVerb.Terminate => "terminate",
        RemediationVerb.Cancel => "cancel",
        RemediationVerb.Heal => "heal",
        _ => "emergency",
    };

    public static string Origin(RemediationOrigin origin) => origin switch
    {
        RemediationOrigin.Cli => "cli",
        RemediationOrigin.Serve => "serve",
        _ => "top",
    };
}
