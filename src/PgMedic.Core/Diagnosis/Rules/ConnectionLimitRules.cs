using System.Globalization;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>A database near its <c>CONNECTION LIMIT</c> (<c>datconnlimit</c>; superusers are exempt, so only their sessions are not counted).</summary>
internal sealed class DatabaseLimitRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var database in context.Snapshot.Databases.Where(d => d.Limit >= 0))
        {
            var sessions = context.Snapshot.ClientBackends.Where(s => s.Database == database.Name && !s.IsSuperuser).ToList();
            if (LimitCheck.Severity(sessions.Count, database.Limit, context.Options) is { } severity)
            {
                yield return new Finding(
                    FindingCodes.DatabaseLimit,
                    severity,
                    $"database '{database.Name}' has {sessions.Count} of its {database.Limit} allowed connections",
                    [$"datconnlimit {database.Limit}; {sessions.Count} non-superuser client backends connected ({LimitCheck.Percent(sessions.Count, database.Limit)} %)"],
                    sessions.Select(s => s.Pid).ToList(),
                    RunbookStep.IncreaseConnectionLimits,
                    Fix.Run(FixVerb.Activity, new FixOptions { Database = database.Name }, $"or ALTER DATABASE {database.Name} CONNECTION LIMIT n"),
                    database.Name);
            }
        }
    }
}

/// <summary>A role near its <c>CONNECTION LIMIT</c> (<c>rolconnlimit</c>; superusers are exempt).</summary>
internal sealed class RoleLimitRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var role in context.Snapshot.Roles.Where(r => r.Limit >= 0 && !r.IsSuperuser))
        {
            var sessions = context.Snapshot.ClientBackends.Where(s => s.User == role.Name).ToList();
            if (LimitCheck.Severity(sessions.Count, role.Limit, context.Options) is { } severity)
            {
                yield return new Finding(
                    FindingCodes.RoleLimit,
                    severity,
                    $"role '{role.Name}' has {sessions.Count} of its {role.Limit} allowed connections",
                    [$"rolconnlimit {role.Limit}; {sessions.Count} client backends connected ({LimitCheck.Percent(sessions.Count, role.Limit)} %)"],
                    sessions.Select(s => s.Pid).ToList(),
                    RunbookStep.IncreaseConnectionLimits,
                    Fix.Run(FixVerb.Activity, new FixOptions { User = role.Name }, $"or ALTER ROLE {role.Name} CONNECTION LIMIT n"),
                    role.Name);
            }
        }
    }
}

internal static class LimitCheck
{
    public static Severity? Severity(int used, int limit, DiagnosisOptions options) =>
        used >= limit ? Diagnosis.Severity.Critical
        : limit > 0 && used * 100.0 / limit >= options.LimitWarningPercent ? Diagnosis.Severity.Warning
        : null;

    public static string Percent(int used, int limit) =>
        (limit == 0 ? 100 : used * 100.0 / limit).ToString("0.#", CultureInfo.InvariantCulture);
}
