using PgMedic.Core.Diagnosis;
using PgMedic.Core.PgBouncer;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.PgBouncer;

/// <summary>
/// <c>pgmedic diagnose --pgbouncer URL</c>: the server diagnosis and PgBouncer's admin console read
/// side by side, PgBouncer's findings added to the server's. One connection to each.
/// </summary>
public static class PgBouncerDiagnosisRunner
{
    /// <summary>Both diagnoses bounded by <paramref name="timeout"/> as a whole.</summary>
    public static async Task<DiagnosisReport> RunAsync(
        ConnectionTarget server,
        ConnectionTarget pgbouncer,
        TimeSpan timeout,
        DiagnosisOptions options,
        PgBouncerOptions bouncerOptions,
        TimeProvider time,
        (IReadOnlyList<Uri> Endpoints, string? Token)? pools,
        CancellationToken cancellationToken)
    {
        await using var deadline = new CommandDeadline(timeout, time, cancellationToken);
        return await RunAsync(server, pgbouncer, deadline, options, bouncerOptions, time, pools).ConfigureAwait(false);
    }

    public static async Task<DiagnosisReport> RunAsync(
        ConnectionTarget server,
        ConnectionTarget pgbouncer,
        CommandDeadline deadline,
        DiagnosisOptions options,
        PgBouncerOptions bouncerOptions,
        TimeProvider time,
        (IReadOnlyList<Uri> Endpoints, string? Token)? pools)
    {
        ArgumentNullException.ThrowIfNull(pgbouncer);
        ArgumentNullException.ThrowIfNull(deadline);
        var (report, snapshot) = await DiagnosisRunner.RunWithSnapshotAsync(server, deadline, options, pools).ConfigureAwait(false);

        // What the server's diagnosis left of the deadline is PgBouncer's.
        var bouncer = await DiagnoseBouncerAsync(pgbouncer, snapshot, deadline.Remaining, bouncerOptions, time, deadline.CallerToken).ConfigureAwait(false);
        return PgBouncerDiagnoser.Attach(report, bouncer);
    }

    /// <summary>PgBouncer alone, joined with a server snapshot when there is one.</summary>
    public static async Task<PgBouncerReport> DiagnoseBouncerAsync(
        ConnectionTarget pgbouncer,
        Core.Snapshots.Snapshot? serverSnapshot,
        TimeSpan timeout,
        PgBouncerOptions options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pgbouncer);
        try
        {
            var snapshot = await PgBouncerCollector.CollectAsync(pgbouncer, time, timeout, cancellationToken).ConfigureAwait(false);
            return PgBouncerDiagnoser.Diagnose(snapshot, serverSnapshot, options);
        }
        catch (PgBouncerException e)
        {
            return PgBouncerDiagnoser.Unreachable(pgbouncer.WithDatabase(Core.PgBouncer.PgBouncerSnapshot.AdminDatabase).Masked, e.Message);
        }
    }
}
