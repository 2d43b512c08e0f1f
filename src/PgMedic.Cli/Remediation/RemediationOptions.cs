using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>The options every session-killing command shares: guardrails, confirmation, audit, format.</summary>
internal sealed class RemediationOptions(int defaultMax = 100)
{
    public Argument<string?> Target { get; } = CommonOptions.Target();

    public Option<OutputFormat> Format { get; } = CommonOptions.Format();

    public Option<bool> Yes { get; } = new("--yes", "-y") { Description = "Execute the plan. Without it the plan is only shown (on a terminal you are asked)." };

    public Option<string[]> Databases { get; } = new("--database", "-d") { Description = "Act in this database instead of the target's (repeatable)" };

    public Option<bool> AllDatabases { get; } = new("--all-databases") { Description = "Act in every database, not just the target's" };

    public Option<bool> IncludeSuperusers { get; } = new("--include-superusers") { Description = "Also act on superusers' sessions (spared by default)" };

    public Option<string[]> ProtectUsers { get; } = new("--protect-user") { Description = "Never touch this role's sessions (repeatable)" };

    public Option<string[]> ProtectApplications { get; } = new("--protect-application") { Description = $"Never touch this application's sessions (repeatable; always protected: {string.Join(", ", GuardrailOptions.DefaultProtectedApplications)})" };

    public Option<int> Max { get; } = new("--max") { Description = "At most this many actions in one run", DefaultValueFactory = _ => defaultMax };

    public Option<string?> AuditLog { get; } = new("--audit-log") { Description = "Append the audit trail here (default $XDG_STATE_HOME/pgmedic/audit.jsonl)" };

    public Option<TimeSpan> Timeout { get; } = CommonOptions.DurationOption("--timeout", "-t", "Give up connecting or collecting after this long", TimeSpan.FromSeconds(10));

    public void AddTo(Command command, bool withDatabaseFilter = true)
    {
        command.Arguments.Add(Target);
        foreach (var option in new Option[] { Format, Yes, AllDatabases, IncludeSuperusers, ProtectUsers, ProtectApplications, Max, AuditLog, Timeout })
        {
            command.Options.Add(option);
        }

        if (withDatabaseFilter)
        {
            command.Options.Add(Databases);
        }
    }

    public GuardrailOptions Guardrails(ParseResult parseResult, string targetDatabase, int ownPid)
    {
        var options = new GuardrailOptions
        {
            TargetDatabase = targetDatabase,
            Databases = parseResult.GetValue(Databases) ?? [],
            AllDatabases = parseResult.GetValue(AllDatabases),
            IncludeSuperusers = parseResult.GetValue(IncludeSuperusers),
            ProtectedUsers = parseResult.GetValue(ProtectUsers) ?? [],
            ProtectedApplications = parseResult.GetValue(ProtectApplications) ?? [],
            MaxActions = parseResult.GetValue(Max),
            OwnPid = ownPid,
        };
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new UsageException(string.Join("; ", errors));
    }

    public string AuditLogPath(ParseResult parseResult, CliContext context) =>
        parseResult.GetValue(AuditLog) ?? Postgres.Remediation.AuditLog.DefaultPath(context.Environment, context.HomeDirectory);

    /// <summary>--yes runs; on a terminal the user is asked; anywhere else it is a dry run.</summary>
    public bool Confirmed(ParseResult parseResult, CliContext context, string question)
    {
        if (parseResult.GetValue(Yes))
        {
            return true;
        }

        if (context.Input is null || parseResult.GetValue(Format) != OutputFormat.Table)
        {
            return false;
        }

        context.Out.Write($"{question} [y/N] ");
        context.Out.Flush();
        var answer = context.Input.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase);
    }
}
