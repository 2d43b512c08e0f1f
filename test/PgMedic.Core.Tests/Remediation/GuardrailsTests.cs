using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Remediation;

public sealed class GuardrailsTests
{
    private static readonly GuardrailOptions Defaults = new() { TargetDatabase = "shop", OwnPid = 1 };

    public static TheoryData<string, string, GuardrailOptions, SpareReason?> Cases()
    {
        var d = Defaults;
        return new TheoryData<string, string, GuardrailOptions, SpareReason?>
        {
            // kind of session, variant, options, expected reason to spare (null = acted on)
            { "client", "plain", d, null },
            { "walsender", "plain", d, SpareReason.NotClientBackend },
            { "autovacuum worker", "plain", d, SpareReason.NotClientBackend },
            { "background worker", "plain", d, SpareReason.NotClientBackend },
            { "parallel worker", "plain", d, SpareReason.NotClientBackend },
            { "walsender", "plain", d with { IncludeSuperusers = true, AllDatabases = true }, SpareReason.NotClientBackend },
            { "client", "own", d, SpareReason.OwnBackend },
            { "client", "own", d with { IncludeSuperusers = true, AllDatabases = true }, SpareReason.OwnBackend },
            { "client", "other-db", d, SpareReason.OtherDatabase },
            { "client", "other-db", d with { AllDatabases = true }, null },
            { "client", "other-db", d with { Databases = ["reports"] }, null },
            { "client", "plain", d with { Databases = ["reports"] }, SpareReason.OtherDatabase },
            { "client", "superuser", d, SpareReason.Superuser },
            { "client", "superuser", d with { IncludeSuperusers = true }, null },
            { "client", "superuser-other-db", d with { IncludeSuperusers = true }, SpareReason.OtherDatabase },
            { "client", "superuser-other-db", d with { AllDatabases = true }, SpareReason.Superuser },
            { "client", "superuser", d with { AppRoles = ["postgres"] }, null },
            { "client", "superuser", d with { AppRoles = ["app"] }, SpareReason.Superuser },
            { "client", "superuser", d with { AppRoles = ["POSTGRES"] }, SpareReason.Superuser },
            { "client", "superuser-other-db", d with { AppRoles = ["postgres"] }, SpareReason.OtherDatabase },
            { "client", "superuser", d with { AppRoles = ["postgres"], ProtectedUsers = ["postgres"] }, SpareReason.ProtectedRole },
            { "client", "superuser", d with { AppRoles = ["postgres"], ProtectedApplications = ["api"] }, SpareReason.ProtectedApplication },
            { "client", "plain", d with { AppRoles = ["someone-else"] }, null },
            { "client", "rdsadmin", d, SpareReason.PlatformRole },
            { "client", "rdsadmin", d with { IncludeSuperusers = true, AllDatabases = true }, SpareReason.PlatformRole },
            { "client", "cloudsqladmin", d with { IncludeSuperusers = true, AppRoles = ["cloudsqladmin"] }, SpareReason.PlatformRole },
            { "client", "supabase_admin", d with { IncludeSuperusers = true }, SpareReason.PlatformRole },
            { "client", "azuresu", d, SpareReason.PlatformRole },
            { "client", "rdsadmin-other-db", d, SpareReason.OtherDatabase },
            { "walsender", "rdsadmin", d, SpareReason.NotClientBackend },
            { "client", "protected-user", d with { ProtectedUsers = ["batch"] }, SpareReason.ProtectedRole },
            { "client", "protected-user", d, null },
            { "client", "pg_dump", d, SpareReason.ProtectedApplication },
            { "client", "PG_BASEBACKUP", d, SpareReason.ProtectedApplication },
            { "client", "pgmedic", d with { IncludeSuperusers = true, AllDatabases = true }, SpareReason.ProtectedApplication },
            { "client", "custom-app", d with { ProtectedApplications = ["custom-app"] }, SpareReason.ProtectedApplication },
            { "client", "custom-app", d, null },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WhySpared_EveryRuleAndCombination(string backendType, string variant, GuardrailOptions options, SpareReason? expected)
    {
        var session = Session(backendType, variant);

        var why = Guardrails.WhySpared(session, options);

        if (expected is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.NotNull(why);
            Assert.Equal(expected, why.Reason);
        }
    }

    [Fact]
    public void Apply_MoreThanMax_RestListedAsSparedOverMax()
    {
        var sessions = Enumerable.Range(100, 5).Select(pid => Session("client", "plain") with { Pid = pid });

        var plan = Guardrails.Apply("t", sessions.Select(s => (s, SessionAction.Terminate, "why")), Snapshots.Now, Defaults with { MaxActions = 3 });

        Assert.Equal([100, 101, 102], plan.Actions.Select(a => a.Pid));
        Assert.Equal([103, 104], plan.Spared.Select(s => s.Pid));
        Assert.All(plan.Spared, s => Assert.Equal((SpareReason.OverMax, "3"), (s.Reason, s.Detail)));
    }

    [Fact]
    public void Apply_SameSessionTwice_PlannedOnce()
    {
        var session = Session("client", "plain");

        var plan = Guardrails.Apply("t", [(session, SessionAction.Terminate, "a"), (session, SessionAction.Cancel, "b")], Snapshots.Now, Defaults);

        Assert.Equal(SessionAction.Terminate, Assert.Single(plan.Actions).Action);
    }

    [Fact]
    public void Apply_PlannedAction_KeepsSessionIdentityAndAges()
    {
        var session = Snapshots.Client(SessionStates.Idle, TimeSpan.FromMinutes(7), application: "api");

        var action = Assert.Single(Guardrails.Apply("t", [(session, SessionAction.Terminate, "stale")], Snapshots.Now, Defaults).Actions);

        Assert.Equal((session.Pid, session.BackendStart, session.StateChange), (action.Pid, action.BackendStart, action.StateChange));
        Assert.Equal(420, action.StateAgeSeconds);
        Assert.Equal("stale", action.Reason);
    }

    [Fact]
    public void Validate_PlatformRoleNamedAsAppRole_Refused() =>
        Assert.Contains("rdsadmin", Assert.Single((Defaults with { AppRoles = ["app", "rdsadmin"] }).Validate()), StringComparison.Ordinal);

    [Fact]
    public void PlatformAdministrationRoles_NoGroupRoleTheCustomersRolesAreMembersOf() =>
        Assert.DoesNotContain(GuardrailOptions.PlatformAdministrationRoles, r => r is "rds_superuser" or "cloudsqlsuperuser" or "azure_pg_admin" or "neon_superuser" or "postgres");

    [Theory]
    [InlineData(0, false, new string[0], 1)]
    [InlineData(5, true, new[] { "x" }, 1)]
    [InlineData(0, true, new[] { "x" }, 2)]
    public void Validate_ContradictionsReportedTogether(int max, bool allDatabases, string[] databases, int errors) =>
        Assert.Equal(errors, (Defaults with { MaxActions = max, AllDatabases = allDatabases, Databases = databases }).Validate().Count);

    private static SessionInfo Session(string backendType, string variant)
    {
        var session = Snapshots.Client(SessionStates.Idle, TimeSpan.FromMinutes(10), backendType: backendType == "client" ? BackendTypes.ClientBackend : backendType, user: "app", database: "shop");
        return variant switch
        {
            "own" => session with { Pid = 1 },
            "other-db" => session with { Database = "reports" },
            "superuser" => session with { IsSuperuser = true, User = "postgres", ApplicationName = "api" },
            "rdsadmin" or "cloudsqladmin" or "supabase_admin" or "azuresu" => session with { IsSuperuser = true, User = variant },
            "rdsadmin-other-db" => session with { IsSuperuser = true, User = "rdsadmin", Database = "rdsadmin" },
            "superuser-other-db" => session with { IsSuperuser = true, Database = "reports" },
            "protected-user" => session with { User = "batch" },
            "plain" => session,
            _ => session with { ApplicationName = variant },
        };
    }
}
