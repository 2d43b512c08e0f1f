using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>The options every session-killing command shares: guardrails, confirmation, audit, format.</summary>
internal sealed class RemediationOptions(int defaultMax = 100)
{
    public ConnectionOptions Connection { get; } = new();

    public Option<OutputFormat> Format { get; } = CommonOptions.Format();

    public Option<bool> Yes { get; } = new("--yes", "-y") { Description = "Execute the plan. Without it the plan is only shown (on a terminal you are asked)." };

    public Option<string[]> Databases { get; } = new("--in-database") { Description = "Act in this database instead of the one connected to (repeatable)", HelpName = "database" };

    public Option<bool> AllDatabases { get; } = new("--all-databases") { Description = "Act in every database, not just the target's" };

    public Option<bool> IncludeSuperusers { get; } = new("--include-superusers") { Description = "Also act on superusers' sessions (spared by default)" };

    public Option<string[]> AppRoles { get; } = new("--app-role") { Description = "The application's role: its sessions are acted on even when it is a superuser, as on Railway (repeatable; default: the role PgMedic connects as)", HelpName = "role" };

    public Option<string[]> ProtectUsers { get; } = new("--protect-user") { Description = "Never touch this role's sessions (repeatable)", HelpName = "role" };

    public Option<string[]> ProtectApplications { get; } = new("--protect-application") { Description = $"Never touch this application's sessions (repeatable; always protected: {string.Join(", ", GuardrailOptions.DefaultProtectedApplications)})", HelpName = "name" };

    public Option<int> Max { get; } = new("--max") { Description = $"At most this many actions in one run (default {defaultMax})", HelpName = "n", DefaultValueFactory = _ => defaultMax };

    public Option<string?> AuditLog { get; } = new("--audit-log") { Description = "Append the audit trail here (default $XDG_STATE_HOME/pgmedic/audit.jsonl)", HelpName = "file" };

    public Option<TimeSpan> Timeout { get; } = CommonOptions.DurationOption("--timeout", "-t", "Give up connecting or collecting after this long", TimeSpan.FromSeconds(10));

    /// <param name="withConfirmation">False for a door that confirms in its own way and draws its own output (<c>top</c>'s dialog): no <c>--yes</c>, no <c>--format</c>.</param>
    public void AddTo(Command command, bool withDatabaseFilter = true, bool withConfirmation = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        Connection.AddTo(command);
        var options = withConfirmation
            ? new Option[] { Format, Yes, AllDatabases, IncludeSuperusers, AppRoles, ProtectUsers, ProtectApplications, Max, AuditLog, Timeout }
            : [AllDatabases, IncludeSuperusers, AppRoles, ProtectUsers, ProtectApplications, Max, AuditLog, Timeout];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        if (withDatabaseFilter)
        {
            command.Options.Add(Databases);
            command.Options.Add(CommonOptions.Renamed("--database", "--in-database", "-d is the database to connect to, as in psql"));
        }
    }

    /// <summary>The guardrails as typed; the engine adds the target database and its own PID.</summary>
    public GuardrailOptions Guardrails(ParseResult parseResult)
    {
        var databases = parseResult.GetValue(Databases) ?? [];
        var max = parseResult.GetValue(Max);
        var errors = new List<string>();
        if (max < 1)
        {
            errors.Add($"--max must be at least 1 (was {max})");
        }

        if (parseResult.GetValue(AllDatabases) && databases.Length > 0)
        {
            errors.Add("--all-databases and --in-database exclude each other: pick one");
        }

        var appRoles = parseResult.GetValue(AppRoles) ?? [];
        foreach (var role in appRoles.Where(GuardrailOptions.IsPlatformAdministrationRole))
        {
            errors.Add($"--app-role {role}: that is the managed service's own administration role, always protected; name the role your application connects as");
        }

        return errors.Count > 0
            ? throw new UsageException(string.Join("; ", errors))
            : new GuardrailOptions
            {
                Databases = databases,
                AllDatabases = parseResult.GetValue(AllDatabases),
                IncludeSuperusers = parseResult.GetValue(IncludeSuperusers),
                AppRoles = appRoles,
                ProtectedUsers = parseResult.GetValue(ProtectUsers) ?? [],
                ProtectedApplications = parseResult.GetValue(ProtectApplications) ?? [],
                MaxActions = max,
            };
    }

    public string AuditLogPath(ParseResult parseResult, CliContext context) =>
        parseResult.GetValue(AuditLog) ?? Postgres.Remediation.AuditLog.DefaultPath(context.Environment, context.HomeDirectory);

    /// <summary>--yes runs; on a terminal the user is asked; anywhere else it is a dry run.</summary>
    public Confirmation Confirm(ParseResult parseResult, CliContext context, ConfirmationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (parseResult.GetValue(Yes))
        {
            return Confirmation.Confirmed;
        }

        if (context.Input is null || parseResult.GetValue(Format) != OutputFormat.Table)
        {
            return Confirmation.NotAsked;
        }

        var question = request.Verb switch
        {
            RemediationVerb.Heal => $"Run these {request.Steps} step(s), {request.Sessions} session(s) in all?",
            RemediationVerb.Cancel => $"Cancel {request.Sessions} quer(ies)?",
            _ => $"Terminate {request.Sessions} session(s)?",
        };
        context.Out.Write($"{question} [y/N] ");
        context.Out.Flush();
        var answer = context.Input.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase)
            ? Confirmation.Confirmed
            : Confirmation.Declined;
    }
}
