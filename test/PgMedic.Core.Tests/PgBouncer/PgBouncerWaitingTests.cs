using PgMedic.Core.Common;
using PgMedic.Core.PgBouncer;

namespace PgMedic.Core.Tests.PgBouncer;

public sealed class PgBouncerWaitingTests
{
    private static PgBouncerPool Pool(string database, int waiting, double maxWaitSeconds) =>
        new(database, "app", 5, waiting, 5, 0, 0, 0, 0, TimeSpan.FromSeconds(maxWaitSeconds), "transaction");

    [Fact]
    public void Evaluate_NoWaiters_OkWithPerfdata()
    {
        var result = PgBouncerWaiting.Evaluate([Pool("shop", 0, 0), Pool("pgbouncer", 0, 0)], new PgBouncerOptions());

        Assert.Equal(ExitCode.Ok, result.Status);
        Assert.Equal("PGBOUNCER-WAITING OK - no client waiting in 1 pool(s) | 'cl_waiting'=0;1;10;0 'maxwait'=0s;1;5;0 'shop/app cl_waiting'=0;;;0", result.Line);
    }

    [Fact]
    public void Evaluate_WaitersBelowCritical_WarningNamesPool()
    {
        var result = PgBouncerWaiting.Evaluate([Pool("shop", 3, 0.2)], new PgBouncerOptions());

        Assert.Equal(ExitCode.Warning, result.Status);
        Assert.StartsWith("PGBOUNCER-WAITING WARNING - 3 client(s) waiting in 1 pool(s), longest wait 200ms (shop/app 3)", result.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_OneClientWaitedPastCritical_CriticalEvenWithFewWaiters()
    {
        var result = PgBouncerWaiting.Evaluate([Pool("shop", 1, 6)], new PgBouncerOptions());

        Assert.Equal(ExitCode.Critical, result.Status);
    }

    [Fact]
    public void Validate_CriticalBelowWarning_EveryErrorReported()
    {
        var errors = new PgBouncerOptions { WaitingWarning = 5, WaitingCritical = 2, MaxWaitWarning = TimeSpan.FromSeconds(9), MaxWaitCritical = TimeSpan.FromSeconds(1) }.Validate();

        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Diagnose_ClientsNearMaxClientConn_WarningThenCritical()
    {
        PgBouncerSnapshot Snapshot(int clients) => new()
        {
            TakenAt = DateTimeOffset.UnixEpoch,
            Target = "postgres://stats@pgb:6432/pgbouncer",
            Pools = [Pool("shop", 0, 0)],
            Clients = Enumerable.Range(0, clients).Select(i => new PgBouncerClient("app", "shop", "active", "10.0.0.1", 5000 + i, null, TimeSpan.Zero, null)).ToList(),
            Config = new Dictionary<string, string> { ["max_client_conn"] = "100" },
        };

        var warning = PgBouncerDiagnoser.Diagnose(Snapshot(85), null, new PgBouncerOptions());
        var critical = PgBouncerDiagnoser.Diagnose(Snapshot(99), null, new PgBouncerOptions());

        Assert.Equal(PgMedic.Core.Diagnosis.Severity.Warning, Assert.Single(warning.Findings, f => f.Code == PgBouncerFindingCodes.MaxClientConn).Severity);
        Assert.Equal(PgMedic.Core.Diagnosis.Severity.Critical, Assert.Single(critical.Findings, f => f.Code == PgBouncerFindingCodes.MaxClientConn).Severity);
    }
}
