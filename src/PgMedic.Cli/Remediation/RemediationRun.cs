using System.CommandLine;
using System.Diagnostics;
using Npgsql;
using PgMedic.Cli.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Remediation;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// One run of a session-killing command: PgMedic's single connection, the snapshot the plan is made
/// from, the audit log (opened only when something will run), and the steps done so far.
/// </summary>
internal sealed class RemediationRun : IAsyncDisposable
{
    private readonly List<StepReport> _steps = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CliContext _context;
    private AuditLog? _audit;

    private RemediationRun(string command, ConnectionTarget target, NpgsqlConnection connection, Snapshot snapshot, RemediationOptions options, ParseResult parseResult, CliContext context)
    {
        Command = command;
        Target = target;
        Connection = connection;
        Snapshot = snapshot;
        Options = options;
        ParseResult = parseResult;
        _context = context;
        Writer = new RemediationWriter(context, parseResult.GetValue(options.Format));
    }

    public string Command { get; }

    public ConnectionTarget Target { get; }

    public NpgsqlConnection Connection { get; }

    /// <summary>The latest snapshot: the one plans are made from.</summary>
    public Snapshot Snapshot { get; private set; }

    public RemediationOptions Options { get; }

    public ParseResult ParseResult { get; }

    public RemediationWriter Writer { get; }

    public IReadOnlyList<StepReport> Steps => _steps;

    public GuardrailOptions Guardrails => Options.Guardrails(ParseResult, Snapshot.TargetDatabase ?? Target.EffectiveDatabase, Snapshot.CollectorPid);

    /// <exception cref="CommandExitException">The server cannot be reached or refuses PgMedic: exit 2 with the probe's reason.</exception>
    public static async Task<RemediationRun> StartAsync(string command, RemediationOptions options, ParseResult parseResult, CliContext context, CancellationToken cancellationToken)
    {
        var target = CommonOptions.ResolveTarget(parseResult, options.Target, context);
        var timeout = parseResult.GetValue(options.Timeout);
        var (connection, probe) = await Prober.ConnectAsync(target, timeout, ConnectionSettings.Collector, cancellationToken);
        if (connection is null)
        {
            var hint = probe.Reason is ProbeReason.TooManyClients or ProbeReason.ReservedSlotsOnly
                ? " — run it as a superuser: reserved slots still admit one"
                : string.Empty;
            throw new CommandExitException(probe.Outcome == ProbeOutcome.Rejecting ? 1 : 2, $"cannot connect to {target.Masked}: {probe.Reason} ({probe.Message}){hint}");
        }

        var snapshot = await SnapshotCollector.CollectAsync(connection, timeout, cancellationToken);
        return new RemediationRun(command, target, connection, snapshot, options, parseResult, context);
    }

    public async Task<Snapshot> RefreshAsync(CancellationToken cancellationToken) =>
        Snapshot = await SnapshotCollector.CollectAsync(Connection, ParseResult.GetValue(Options.Timeout), cancellationToken);

    public bool Confirm(string question) => Options.Confirmed(ParseResult, _context, question);

    public AuditLog Audit => _audit ??= AuditLog.Open(Options.AuditLogPath(ParseResult, _context), Target.Masked, Target.Password, _context.Time);

    /// <summary>Runs a plan, re-collects and verifies; records and shows every part.</summary>
    public async Task<StepReport> ExecuteAsync(string name, string? runbookStep, RemediationPlan plan, ExecutionOptions execution, DiagnosisOptions diagnosis, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var before = Snapshot;
        var results = await new PlanExecutor(Connection, Audit, Command, _context.Time).ExecuteAsync(plan, name, execution, cancellationToken);
        Writer.Results(results);
        var (verification, after) = await Verifier.VerifyAsync(Target, Connection, before, diagnosis, cancellationToken);
        Snapshot = after;
        Writer.Verification(verification);
        await Audit.VerificationAsync(Command, name, verification, stopwatch.Elapsed.TotalMilliseconds, cancellationToken);
        var status = results.All(r => r.Succeeded || r.Result is ActionResult.AlreadyGone or ActionResult.Changed) ? "done" : "partly done";
        return Add(new StepReport(name, runbookStep, plan, results, null, verification, status, stopwatch.Elapsed.TotalMilliseconds));
    }

    public StepReport Add(StepReport step)
    {
        _steps.Add(step);
        return step;
    }

    public RemediationReport Report(bool dryRun, string? stoppedAt = null, string? nextStep = null) =>
        new(Command, Target.Masked, dryRun, _steps, _audit?.Path, stoppedAt, nextStep, Math.Round(_clock.Elapsed.TotalMilliseconds, 1));

    /// <summary>0 all done and the server answers; 1 some action did not go through; 2 the server still refuses or does not answer.</summary>
    public static int ExitCodeOf(IReadOnlyList<StepReport> steps)
    {
        var last = steps.LastOrDefault(s => s.Verification is not null)?.Verification;
        if (last is not null && last.Probe.Outcome != ProbeOutcome.Accepting)
        {
            return 2;
        }

        return steps.All(s => s.Status is "done" or "skipped" or "healthy") ? 0 : 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (_audit is not null)
        {
            await _audit.DisposeAsync();
        }

        await Connection.DisposeAsync();
    }
}
