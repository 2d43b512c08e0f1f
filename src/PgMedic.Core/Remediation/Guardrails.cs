using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Remediation;

/// <summary>
/// Filters every plan before anything runs. Pure, so every rule is tested exhaustively:
/// only client backends; never PgMedic's own backend; only the target's database unless told otherwise;
/// managed services' administration roles always spared; superusers spared unless they are the application's
/// role (<see cref="GuardrailOptions.AppRoles"/>); protected roles and protected applications spared; at most <c>--max</c> actions.
/// PgHero's bulk kill could hit autovacuum and walsenders; pgcenter's group kill defaulted to any age.
/// </summary>
public static class Guardrails
{
    /// <param name="candidates">Sessions the selection matched, each with the action and the reason.</param>
    /// <param name="alreadyPlanned">Actions earlier plans of the same run took: <c>--max</c> bounds the whole run.</param>
    public static RemediationPlan Apply(string title, IEnumerable<(SessionInfo Session, SessionAction Action, string Reason)> candidates, DateTimeOffset now, GuardrailOptions options, int alreadyPlanned = 0)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(options);
        var actions = new List<PlannedAction>();
        var spared = new List<SparedSession>();
        foreach (var (session, action, reason) in candidates.DistinctBy(c => c.Session.Pid))
        {
            var why = WhySpared(session, options)
                ?? (actions.Count + alreadyPlanned >= options.MaxActions ? new SpareVerdict(SpareReason.OverMax, options.MaxActions.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);
            if (why is null)
            {
                actions.Add(PlannedAction.For(action, session, now, reason));
            }
            else
            {
                spared.Add(new SparedSession(session.Pid, session.User, session.ApplicationName, session.Database, session.State, why.Reason, why.Detail));
            }
        }

        return new RemediationPlan(title, actions, spared);
    }

    /// <summary>The first guardrail that protects this session, or null when it may be acted on.</summary>
    public static SpareVerdict? WhySpared(SessionInfo session, GuardrailOptions options)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        if (!session.IsClientBackend)
        {
            return new SpareVerdict(SpareReason.NotClientBackend, session.BackendType);
        }

        if (session.Pid == options.OwnPid)
        {
            return new SpareVerdict(SpareReason.OwnBackend, null);
        }

        if (!InScope(session.Database, options))
        {
            return new SpareVerdict(SpareReason.OtherDatabase, session.Database);
        }

        if (GuardrailOptions.IsPlatformAdministrationRole(session.User))
        {
            return new SpareVerdict(SpareReason.PlatformRole, session.User);
        }

        if (session.IsSuperuser && !options.IncludeSuperusers && !options.AppRoles.Contains(session.User ?? string.Empty, StringComparer.Ordinal))
        {
            return new SpareVerdict(SpareReason.Superuser, session.User);
        }

        if (session.User is { } user && options.ProtectedUsers.Contains(user, StringComparer.Ordinal))
        {
            return new SpareVerdict(SpareReason.ProtectedRole, user);
        }

        if (session.ApplicationName is { Length: > 0 } application
            && (GuardrailOptions.IsAlwaysProtected(application)
                || options.ProtectedApplications.Contains(application, StringComparer.Ordinal)))
        {
            return new SpareVerdict(SpareReason.ProtectedApplication, application);
        }

        return null;
    }

    private static bool InScope(string? database, GuardrailOptions options) =>
        options.AllDatabases
        || (options.Databases.Count > 0
            ? options.Databases.Contains(database ?? string.Empty, StringComparer.Ordinal)
            : string.Equals(database, options.TargetDatabase, StringComparison.Ordinal));
}
