using PgMedic.Core.Diagnosis;
using PgMedic.Core.PgBouncer;
using PgMedic.Postgres.PgBouncer;
using PgMedic.Postgres.Tests.Collection;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.PgBouncer;

/// <summary>A real PgBouncer in front of a sandbox, driven into the states the findings describe.</summary>
public sealed class PgBouncerScenarioTests(PgBouncerFixture fixture) : IClassFixture<PgBouncerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Diagnose_ClientsQueuedBehindFullPool_FindingsNamePoolWaitAndBothLayers()
    {
        await using (await fixture.QueueAsync(3))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1100));
            var options = new PgBouncerOptions { IdleInTransactionWarning = TimeSpan.FromMilliseconds(500) };

            var report = await PgBouncerDiagnosisRunner.RunAsync(fixture.Sandbox.SuperuserTarget, fixture.Bouncer.AdminTarget, Timeout, new DiagnosisOptions(), options, TimeProvider.System, null, CancellationToken.None);

            var bouncer = Assert.IsType<PgBouncerReport>(report.PgBouncer);
            var waiting = Assert.Single(bouncer.Findings, f => f.Code == PgBouncerFindingCodes.ClientsWaiting);
            Assert.Equal("shop/app", waiting.Subject);
            Assert.Contains("3 client(s) waiting in PgBouncer, longest 1", waiting.Summary, StringComparison.Ordinal);
            var saturated = Assert.Single(bouncer.Findings, f => f.Code == PgBouncerFindingCodes.PoolSaturated);
            Assert.Contains("2/2 server connections busy", saturated.Summary, StringComparison.Ordinal);
            Assert.Contains("default_pool_size = ", saturated.Fix.Advice, StringComparison.Ordinal);
            var idle = Assert.Single(bouncer.Findings, f => f.Code == PgBouncerFindingCodes.IdleInTransaction);
            Assert.Equal(2, idle.Pids.Count);
            Assert.Contains("pool shop/app: 2 server connection(s) idle in a transaction", idle.Summary, StringComparison.Ordinal);
            var shop = Assert.Single(bouncer.Pools, p => p.Database == "shop");
            Assert.Equal((2, 3, 2), (shop.PoolSize, shop.ClientWaiting, shop.BackendStates["idle in transaction"]));
            Assert.Contains(report.Findings, f => f.Code == PgBouncerFindingCodes.ClientsWaiting);
            Assert.Equal(DiagnosisStatus.Warning, report.Status);
        }
    }

    [Fact]
    public async Task Diagnose_PoolSizesAddUpBeyondServer_MismatchFound()
    {
        await using (var reports = await PgMedic.Testing.HeldConnections.OpenAsync(fixture.Reports, 1, "report-job"))
        {
            var server = await Diagnose.SnapshotAsync(fixture.Sandbox.SuperuserTarget);

            var report = await PgBouncerDiagnosisRunner.DiagnoseBouncerAsync(fixture.Bouncer.AdminTarget, server, Timeout, new PgBouncerOptions(), TimeProvider.System, CancellationToken.None);

            var mismatch = Assert.Single(report.Findings, f => f.Code == PgBouncerFindingCodes.PoolsExceedServer);
            Assert.Contains("can open 22 server connections but PostgreSQL has room for 9", mismatch.Summary, StringComparison.Ordinal);
            Assert.Contains("max_db_connections = 9", mismatch.Fix.Advice, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Collect_AdminConsole_ReadsEveryShowCommandOverSimpleProtocol()
    {
        var snapshot = await PgBouncerCollector.CollectAsync(fixture.Bouncer.AdminTarget, TimeProvider.System, Timeout, CancellationToken.None);

        Assert.StartsWith("1.", snapshot.Version, StringComparison.Ordinal);
        Assert.Equal("transaction", snapshot.PoolMode);
        Assert.Equal(20, snapshot.DefaultPoolSize);
        Assert.Equal(2, snapshot.PoolSizeOf("shop"));
        Assert.Contains(snapshot.Databases, d => d.Name == "reports");
        Assert.Contains(snapshot.Clients, c => c.Database == PgBouncerSnapshot.AdminDatabase);
        Assert.DoesNotContain(fixture.Bouncer.AdminPassword, snapshot.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_WrongAdminPassword_OneLineErrorWithoutPassword()
    {
        var wrong = fixture.Bouncer.AdminTarget with { Password = "not-the-password" };

        var error = await Assert.ThrowsAsync<PgBouncerException>(() => PgBouncerCollector.PoolsAsync(wrong, Timeout, CancellationToken.None));

        Assert.Contains("password authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }
}
