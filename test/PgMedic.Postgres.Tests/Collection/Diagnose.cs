using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Tests.Collection;

/// <summary>Collects a real snapshot and diagnoses it, optionally "as of" later (sessions age; nothing else changes).</summary>
internal static class Diagnose
{
    public static async Task<Snapshot> SnapshotAsync(ConnectionTarget target)
    {
        var (connection, probe) = await Prober.ConnectAsync(target, TimeSpan.FromSeconds(10), ConnectionSettings.Collector, CancellationToken.None);
        Assert.True(connection is not null, probe.Message);
        await using (connection)
        {
            return await SnapshotCollector.CollectAsync(connection, TimeSpan.FromSeconds(5), CancellationToken.None);
        }
    }

    public static async Task<IReadOnlyList<Finding>> FindingsAsync(ConnectionTarget target, TimeSpan? later = null, DiagnosisOptions? options = null)
    {
        var snapshot = await SnapshotAsync(target);
        return Diagnoser.Diagnose(snapshot with { TakenAt = snapshot.TakenAt + (later ?? TimeSpan.Zero) }, options ?? new DiagnosisOptions());
    }
}
