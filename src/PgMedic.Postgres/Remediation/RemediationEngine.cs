using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Remediation;

/// <summary>
/// The one remediation workflow behind every door (CLI verbs, the monitor's action endpoints, <c>top</c>'s
/// keys): snapshot → plan → guardrails → the door's confirmation → the server's remediation lock →
/// execute → audit → verify → re-plan the next step from the server as it is now → stop when healthy.
/// Doors supply the connection (a fresh one, or the monitor's lifeline), the confirmation and, if they
/// show progress live, an observer; they render the <see cref="RemediationReport"/>.
/// </summary>
public sealed class RemediationEngine(TimeProvider time)
{
    private readonly TimeProvider _time = time;

    public async Task<RemediationReport> RunAsync(
        NpgsqlConnection connection,
        ConnectionTarget target,
        RemediationRequest request,
        ConfirmRemediation confirm,
        IRemediationObserver? observer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(confirm);
        if (AuditLog.Problem(request.AuditLogPath) is { } unwritable)
        {
            throw new InvalidRemediationRequestException(unwritable);
        }

        await using var run = new Run(this, connection, target, request, confirm, observer ?? SilentObserver.Instance);
        await run.CollectAsync(cancellationToken).ConfigureAwait(false);
        return request.Verb switch
        {
            RemediationVerb.Heal => await run.HealAsync(cancellationToken).ConfigureAwait(false),
            RemediationVerb.Emergency => await run.EmergencyAsync(cancellationToken).ConfigureAwait(false),
            _ => await run.SelectionAsync(cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>One run: its connection, latest snapshot, lock, audit log and the steps so far.</summary>
    /// <summary>Kept back from a deadline for the re-collect and the fresh probe that verify.</summary>
    private static readonly TimeSpan VerificationReserve = TimeSpan.FromMilliseconds(400);

    private static readonly TimeSpan MinimumExitWait = TimeSpan.FromMilliseconds(100);

    private sealed class Run(RemediationEngine engine, NpgsqlConnection connection, ConnectionTarget target, RemediationRequest request, ConfirmRemediation confirm, IRemediationObserver observer) : IAsyncDisposable
    {
        private readonly List<StepReport> _steps = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly string _command = RemediationText.Verb(request.Verb);
        private readonly SecretScrubber _scrubber = new(target.Password);
        private AuditLog? _audit;
        private RemediationLock? _lock;
        private Snapshot _snapshot = null!;
        private GuardrailOptions _guardrails = null!;
        private RemediationLockHolder? _holder;
        private NpgsqlConnection? _reopened;

        private TimeProvider Time => engine._time;

        private string Database => _snapshot.TargetDatabase ?? target.EffectiveDatabase;

        private AuditLog Audit => _audit ??= AuditLog.Open(request.AuditLogPath, target.Masked, target.Password, RemediationText.Origin(request.Origin), Time);

        public async Task CollectAsync(CancellationToken cancellationToken)
        {
            _snapshot = await SnapshotCollector.CollectAsync(connection, request.Timeout, cancellationToken).ConfigureAwait(false);
            _guardrails = request.Guardrails with
            {
                TargetDatabase = Database,
                OwnPid = _snapshot.CollectorPid,

                // The role PgMedic connects as is, by default, the application's (a DATABASE_URL copied from the app).
                AppRoles = request.Guardrails.AppRoles.Count > 0 ? request.Guardrails.AppRoles : [_snapshot.Visibility.Role ?? target.User ?? "postgres"],
            };
            var errors = _guardrails.Validate();
            if (errors.Count > 0)
            {
                throw new InvalidRemediationRequestException(string.Join("; ", errors));
            }
        }

        /// <summary>terminate and cancel: one plan from the selection, one step.</summary>
        public async Task<RemediationReport> SelectionAsync(CancellationToken cancellationToken)
        {
            var selection = request.Selection;
            var cancel = request.Verb == RemediationVerb.Cancel;
            var described = selection.Describe();
            var reason = selection.BlockingWaitingFor is not null ? "head of a lock chain: " + described : described;
            var plan = Guardrails.Apply(
                cancel ? $"cancel queries {described}" : $"terminate {described}",
                selection.Match(_snapshot).Select(s => (s, cancel ? SessionAction.Cancel : SessionAction.Terminate, reason)),
                _snapshot.TakenAt,
                _guardrails);
            observer.Plan(plan);
            var runbookStep = cancel || selection.BlockingWaitingFor is not null ? RunbookStep.IdentifyConnectionLeaks : RunbookStep.ResetConnectionPool;
            if (await GateAsync([plan], cancellationToken).ConfigureAwait(false) is { } ending)
            {
                _steps.Add(StepReport.Planned(_command, runbookStep, plan));
                return Report(ending);
            }

            await ExecuteAsync(_command, runbookStep, plan, request.Execution, request.Thresholds, cancellationToken).ConfigureAwait(false);
            return Report(RunOutcome.Executed);
        }

        /// <summary>heal: the runbook's steps in order, each planned from a fresh snapshot, until healthy.</summary>
        public async Task<RemediationReport> HealAsync(CancellationToken cancellationToken)
        {
            var diagnosis = request.Heal.Diagnosis(request.Thresholds);
            var findings = Diagnoser.Diagnose(_snapshot, diagnosis);
            observer.Findings(findings.Where(f => f.Severity >= Severity.Warning).ToList());
            var planned = HealPlanner.Plan(_snapshot, request.Heal, _guardrails);
            foreach (var step in planned)
            {
                observer.Plan(step.Plan);
            }

            if (await GateAsync(planned.Select(s => s.Plan).ToList(), cancellationToken).ConfigureAwait(false) is { } ending)
            {
                var restart = request.Hooks.Shown(_scrubber).RestartCommand;
                foreach (var step in planned)
                {
                    _steps.Add(StepReport.Planned(step.Name, step.RunbookStep, step.Plan));
                    if (step.Name == HealPlanner.IdleStep && !step.Plan.IsEmpty && restart is not null)
                    {
                        _steps.Add(StepReport.PlannedHook("restart-app", step.RunbookStep, restart));
                    }
                }

                if (ending != RunOutcome.NothingToDo)
                {
                    _steps.AddRange(PlannedHealthChecks());
                }

                return Report(ending, healthy: HealPlanner.IsHealthy(findings));
            }

            await Audit.FindingsAsync(_command, findings, cancellationToken).ConfigureAwait(false);
            var taken = new HashSet<int>();
            var healthy = false;
            foreach (var name in HealPlanner.StepOrder)
            {
                if (healthy)
                {
                    _steps.Add(StepReport.Skipped(name, null));
                    observer.StepSkipped(name, StepSkip.Healthy);
                    continue;
                }

                // Each step is planned from the server as it is now: earlier steps (or another operator) changed it.
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                var step = HealPlanner.PlanStep(name, _snapshot, request.Heal, _guardrails, taken);
                observer.Step(name, step.RunbookStep, step.Plan.Actions.Count);
                if (step.Plan.IsEmpty)
                {
                    _steps.Add(StepReport.Planned(name, step.RunbookStep, step.Plan));
                    continue;
                }

                var report = await ExecuteAsync(name, step.RunbookStep, step.Plan, ExecutionOptions.Direct, diagnosis, cancellationToken).ConfigureAwait(false);
                healthy = report.Verification!.Healthy;

                // The runbook restarts the API after step 1, so its pool opens fresh connections instead of waiting on dead ones.
                if (name == HealPlanner.IdleStep && request.Hooks.RestartCommand is { } restart
                    && await HookAsync("restart-app", restart, HookEnvironment(Database), null, cancellationToken, step.RunbookStep).ConfigureAwait(false) is { } restartFailed)
                {
                    return await StoppedAsync("restart-app", "step 1", $"{restartFailed} The idle sessions were terminated: restart the application by hand.", cancellationToken).ConfigureAwait(false);
                }
            }

            if (await HealthAsync(cancellationToken).ConfigureAwait(false) is { } unhealthy)
            {
                return await StoppedAsync("health-check", "verification", unhealthy, cancellationToken).ConfigureAwait(false);
            }

            return Report(RunOutcome.Executed, healthy);
        }

        /// <summary>emergency: maintenance on → terminate every client session → restart the app → verify → maintenance off.</summary>
        public async Task<RemediationReport> EmergencyAsync(CancellationToken cancellationToken)
        {
            var database = Database;
            var plan = Guardrails.Apply(
                $"terminate every client session of database {database}",
                _snapshot.Sessions.Select(s => (s, SessionAction.Terminate, "emergency: every client session of the database")),
                _snapshot.TakenAt,
                _guardrails);
            observer.Playbook(request.Hooks.Shown(_scrubber), database, plan);
            observer.Plan(plan);
            if (await GateAsync([plan], cancellationToken, emptyIsNothingToDo: false).ConfigureAwait(false) is { } ending)
            {
                _steps.AddRange(PlannedPlaybook(plan));
                return Report(ending);
            }

            var environment = HookEnvironment(database);
            // What was wrong before the blanket terminate: the report's root cause, which the terminate cannot tell.
            await Audit.FindingsAsync(_command, Diagnoser.Diagnose(_snapshot, request.Thresholds), cancellationToken).ConfigureAwait(false);
            await Audit.PlanAsync(_command, "playbook", plan, cancellationToken).ConfigureAwait(false);
            var hooks = request.Hooks;
            if (await HookAsync("maintenance-on", hooks.MaintenanceOnCommand, environment, "true", cancellationToken).ConfigureAwait(false) is { } onFailed)
            {
                return await StoppedAsync("maintenance-on", "step 1", $"{onFailed} Maintenance mode may be half on: check it, fix the hook, and re-run.", cancellationToken).ConfigureAwait(false);
            }

            var terminate = await ExecuteAsync("terminate", RunbookStep.EmergencyRestart, plan, ExecutionOptions.Direct, request.Thresholds, cancellationToken).ConfigureAwait(false);
            environment["PGMEDIC_TERMINATED"] = terminate.Results.Count(r => r.Result == ActionOutcome.Terminated).ToString(CultureInfo.InvariantCulture);
            if (terminate.Results.Any(r => r.Result is ActionOutcome.PermissionDenied or ActionOutcome.Failed))
            {
                return await StoppedAsync("terminate", "step 2", "Some sessions could not be terminated (see above): grant pg_signal_backend or connect as a superuser. Maintenance mode is still ON.", cancellationToken).ConfigureAwait(false);
            }

            if (hooks.RestartDatabaseCommand is { } restartDatabase)
            {
                if (await HookAsync("restart-database", restartDatabase, environment, null, cancellationToken).ConfigureAwait(false) is { } databaseFailed)
                {
                    return await StoppedAsync("restart-database", "step 2b", $"{databaseFailed} Check whether PostgreSQL is up (pgmedic probe) and restart it by hand. Maintenance mode is still ON.", cancellationToken).ConfigureAwait(false);
                }

                if (await WaitForDatabaseAsync(cancellationToken).ConfigureAwait(false) is { } notBack)
                {
                    return await StoppedAsync("restart-database", "step 2b", $"{notBack} Maintenance mode is still ON.", cancellationToken).ConfigureAwait(false);
                }
            }

            if (await HookAsync("restart-app", hooks.RestartCommand, environment, null, cancellationToken).ConfigureAwait(false) is { } restartFailed)
            {
                return await StoppedAsync("restart-app", "step 3", $"{restartFailed} Restart the application by hand. Maintenance mode is still ON.", cancellationToken).ConfigureAwait(false);
            }

            // Verified again after the restart: the application's new connections are part of "service came back".
            var (verification, after) = await Verifier.VerifyAsync(target, connection, _snapshot, request.Thresholds, cancellationToken).ConfigureAwait(false);
            _snapshot = after;
            observer.Verification(verification);
            var accepting = verification.Probe.Outcome == ProbeOutcome.Accepting;
            _steps.Add(StepReport.Verified("verify", RunbookStep.EmergencyRestart, verification, accepting));
            await Audit.VerificationAsync(_command, "verify", verification, 0, cancellationToken).ConfigureAwait(false);
            if (!accepting)
            {
                return await StoppedAsync("verify", "step 4", $"The server still refuses connections ({verification.Probe.Reason}): restart PostgreSQL itself (runbook step 4.3, your provider's support if managed). Maintenance mode is still ON.", cancellationToken).ConfigureAwait(false);
            }

            if (await HookAsync("maintenance-off", hooks.MaintenanceOffCommand, environment, "false", cancellationToken).ConfigureAwait(false) is { } offFailed)
            {
                return await StoppedAsync("maintenance-off", "step 5", $"{offFailed} Everything else is done: turn maintenance mode off by hand.", cancellationToken).ConfigureAwait(false);
            }

            if (await HealthAsync(cancellationToken).ConfigureAwait(false) is { } unhealthy)
            {
                return await StoppedAsync("health-check", "step 6", unhealthy, cancellationToken).ConfigureAwait(false);
            }

            return Report(RunOutcome.Executed, accepting);
        }

        public async ValueTask DisposeAsync()
        {
            if (_lock is not null)
            {
                await _lock.DisposeAsync().ConfigureAwait(false);
            }

            if (_audit is not null)
            {
                await _audit.DisposeAsync().ConfigureAwait(false);
            }

            if (_reopened is not null)
            {
                await _reopened.DisposeAsync().ConfigureAwait(false);
            }
        }

        private Dictionary<string, string> HookEnvironment(string database)
        {
            var environment = new Dictionary<string, string>(request.Hooks.Environment)
            {
                ["PGMEDIC_COMMAND"] = _command,
                ["PGMEDIC_RUN_ID"] = Audit.RunId,
                ["PGMEDIC_TARGET"] = target.Masked,
                ["PGMEDIC_DATABASE"] = database,
                ["PGMEDIC_INCIDENT"] = $"{_command} on {database}: {_snapshot.ClientBackends.Count()} client connections",
            };
            return environment;
        }

        /// <summary>
        /// After restart-database: probes until the server accepts connections or the wait is over, then
        /// reconnects, since the restart ended PgMedic's own session (and with it the remediation lock).
        /// </summary>
        /// <returns>Null once the server is back; otherwise what was last seen.</returns>
        private async Task<string?> WaitForDatabaseAsync(CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            ProbeResult probe;
            string? seen = null;
            do
            {
                probe = await Prober.ProbeAsync(target, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);

                // Each change of what the server answers is recorded: the wait shows it saw the server down, then back.
                var now = $"{ProbeOutcomeName.Of(probe.Outcome)} {probe.Reason}".TrimEnd();
                if (now != seen)
                {
                    seen = now;
                    observer.DatabaseWait(probe, stopwatch.Elapsed);
                    await Audit.EventAsync("database-wait", _command, "restart-database", probe.Outcome == ProbeOutcome.Accepting ? "accepting" : "not-accepting", $"probe {now}", stopwatch.Elapsed.TotalMilliseconds, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                if (probe.Outcome == ProbeOutcome.Accepting)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), Time, cancellationToken).ConfigureAwait(false);
            }
            while (stopwatch.Elapsed < request.Hooks.DatabaseWait);

            if (probe.Outcome != ProbeOutcome.Accepting)
            {
                await Audit.EventAsync("database-wait", _command, "restart-database", "gave-up", $"probe {seen} after {Duration.Format(request.Hooks.DatabaseWait)}", stopwatch.Elapsed.TotalMilliseconds, cancellationToken: cancellationToken).ConfigureAwait(false);
                return $"The server did not accept connections within {Duration.Format(request.Hooks.DatabaseWait)} of the restart (last answer: {seen}{(probe.Message is { } message ? $", {message}" : string.Empty)}). "
                    + "Start PostgreSQL by hand and read its log for why it is not up (pgmedic probe tells when it accepts); then restart the application and turn maintenance mode off, or re-run emergency.";
            }

            var (reopened, refused) = await Prober.ConnectAsync(target, request.Timeout, ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
            if (reopened is null)
            {
                return $"The server accepts connections again but refused PgMedic's ({refused.Reason}).";
            }

            _reopened = reopened;
            connection = reopened;
            return null;
        }

        /// <summary>Emergency's whole playbook as it would run, for a run that ends at the gate (dry run, declined, busy): every hook with its command, the terminate with its plan, the checks.</summary>
        private IEnumerable<StepReport> PlannedPlaybook(RemediationPlan plan)
        {
            var hooks = request.Hooks.Shown(_scrubber);
            yield return StepReport.PlannedHook("maintenance-on", RunbookStep.EmergencyRestart, hooks.MaintenanceOnCommand);
            yield return StepReport.Planned("terminate", RunbookStep.EmergencyRestart, plan, emptyIsPlanned: true);
            if (hooks.RestartDatabaseCommand is { } restartDatabase)
            {
                yield return StepReport.PlannedHook("restart-database", RunbookStep.EmergencyRestart, restartDatabase);
            }

            yield return StepReport.PlannedHook("restart-app", RunbookStep.EmergencyRestart, hooks.RestartCommand);
            yield return StepReport.PlannedCheck("verify", RunbookStep.EmergencyRestart);
            yield return StepReport.PlannedHook("maintenance-off", RunbookStep.EmergencyRestart, hooks.MaintenanceOffCommand);
            foreach (var check in PlannedHealthChecks())
            {
                yield return check;
            }
        }

        private IEnumerable<StepReport> PlannedHealthChecks() =>
            request.HealthUrls.Select(url => StepReport.PlannedCheck("health-check", null, HealthCheck.Masked(url)));

        /// <summary>The application's health URLs, each polled until healthy or the deadline; recorded whatever they answer.</summary>
        /// <returns>Null when every URL answered healthy; otherwise which did not, and what next.</returns>
        private async Task<string?> HealthAsync(CancellationToken cancellationToken)
        {
            if (request.HealthUrls.Count == 0)
            {
                return null;
            }

            using var client = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            var failed = new List<string>();
            foreach (var url in request.HealthUrls)
            {
                var checkedUrl = await HealthCheck.WaitAsync(client, url, request.HealthTimeout, request.HealthInterval, Time, cancellationToken).ConfigureAwait(false);
                var result = checkedUrl with { Body = _scrubber.Scrub(checkedUrl.Body) };
                var status = result.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "no answer";
                await Audit.EventAsync("health-check", _command, "health-check", result.Healthy ? "healthy" : "not-healthy", $"{result.Url}: HTTP {status} after {result.Attempts} attempt(s): {result.Body}", result.ElapsedMilliseconds, cancellationToken: cancellationToken).ConfigureAwait(false);
                observer.Health(result);
                _steps.Add(StepReport.OfHealth(result));
                if (!result.Healthy)
                {
                    failed.Add($"{result.Url} (last HTTP {status}: {result.Body})");
                }
            }

            return failed.Count == 0 ? null
                : $"The application did not answer healthy within {Duration.Format(request.HealthTimeout)}: {string.Join("; ", failed)}. The database side is done: look at the application's logs and restart it.";
        }

        /// <summary>
        /// Nothing to do, the door's answer, then the lock: null when the run may act (it then holds the
        /// lock until it ends), else how it ended. The lock is taken after confirming, so an operator
        /// reading a prompt holds nobody up.
        /// </summary>
        private async Task<RunOutcome?> GateAsync(IReadOnlyList<RemediationPlan> plans, CancellationToken cancellationToken, bool emptyIsNothingToDo = true)
        {
            if (emptyIsNothingToDo && plans.All(p => p.IsEmpty))
            {
                return RunOutcome.NothingToDo;
            }

            switch (await confirm(new ConfirmationRequest(request.Verb, Database, plans), cancellationToken).ConfigureAwait(false))
            {
                case Confirmation.NotAsked:
                    return RunOutcome.DryRun;
                case Confirmation.Declined:
                    return RunOutcome.Declined;
            }

            var (held, holder) = await RemediationLock.TryAcquireAsync(connection, request.Verb, request.Origin, Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (held is null)
            {
                _holder = holder;
                return RunOutcome.Busy;
            }

            _lock = held;
            return null;
        }

        /// <summary>The exit wait cut to what is left before the deadline, keeping time to verify.</summary>
        private ExecutionOptions Fit(ExecutionOptions execution)
        {
            if (request.Deadline is not { } deadline)
            {
                return execution;
            }

            var left = deadline - Time.GetUtcNow() - VerificationReserve - execution.Grace;
            var wait = left < execution.ExitWait ? left : execution.ExitWait;
            return execution with { ExitWait = wait < MinimumExitWait ? MinimumExitWait : wait };
        }

        /// <summary>What is left of a one-shot deadline (at least the verification's reserve); null without one.</summary>
        private TimeSpan? LeftBeforeDeadline()
        {
            if (request.Deadline is not { } deadline)
            {
                return null;
            }

            var left = deadline - Time.GetUtcNow();
            return left > VerificationReserve ? left : VerificationReserve;
        }

        private async Task RefreshAsync(CancellationToken cancellationToken) =>
            _snapshot = await SnapshotCollector.CollectAsync(connection, request.Timeout, cancellationToken).ConfigureAwait(false);

        /// <summary>Runs a plan, re-collects and verifies; records and shows every part.</summary>
        private async Task<StepReport> ExecuteAsync(string name, string? runbookStep, RemediationPlan plan, ExecutionOptions execution, DiagnosisOptions diagnosis, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            var before = _snapshot;
            observer.Acting(plan);
            var results = await new PlanExecutor(connection, Audit, _command, Time).ExecuteAsync(plan, name, Fit(execution), cancellationToken).ConfigureAwait(false);
            observer.Results(results);
            var (verification, after) = await Verifier.VerifyAsync(target, connection, before, diagnosis, cancellationToken, LeftBeforeDeadline()).ConfigureAwait(false);
            _snapshot = after;
            observer.Verification(verification);
            await Audit.VerificationAsync(_command, name, verification, stopwatch.Elapsed.TotalMilliseconds, cancellationToken).ConfigureAwait(false);
            var step = StepReport.Executed(name, runbookStep, plan, results, verification, stopwatch.Elapsed.TotalMilliseconds);
            _steps.Add(step);
            return step;
        }

        /// <returns>Null when the step succeeded or was not configured; otherwise what went wrong.</returns>
        private async Task<string?> HookAsync(string name, string? command, Dictionary<string, string> environment, string? maintenanceMode, CancellationToken cancellationToken, string? runbookStep = RunbookStep.EmergencyRestart)
        {
            if (command is null)
            {
                _steps.Add(StepReport.Skipped(name, runbookStep));
                observer.StepSkipped(name, StepSkip.NoHook);
                return null;
            }

            var shownCommand = _scrubber.Scrub(command);
            observer.HookStarted(name, shownCommand);
            environment["PGMEDIC_STEP"] = name;
            if (maintenanceMode is not null)
            {
                environment["MAINTENANCE_MODE"] = maintenanceMode;
            }
            else
            {
                environment.Remove("MAINTENANCE_MODE");
            }

            await Audit.EventAsync("hook-started", _command, name, null, shownCommand, cancellationToken: cancellationToken).ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            var ran = await HookRunner.RunAsync(name, command, environment, request.Hooks.Timeout, cancellationToken).ConfigureAwait(false);

            // The command line and what it printed reach the terminal, the report and the audit log: neither may carry the password.
            var result = ran with { Command = shownCommand, Output = _scrubber.Scrub(ran.Output) };
            await Audit.EventAsync("hook-finished", _command, name, result.Succeeded ? "succeeded" : result.TimedOut ? "timed-out" : "failed", shownCommand, stopwatch.Elapsed.TotalMilliseconds, result.ExitCode, result.Output, cancellationToken).ConfigureAwait(false);
            observer.Hook(result);
            _steps.Add(StepReport.OfHook(name, runbookStep, result));
            return result.Succeeded ? null
                : result.TimedOut ? $"The hook did not finish within {Duration.Format(request.Hooks.Timeout)}."
                : $"The hook exited {result.ExitCode.ToString(CultureInfo.InvariantCulture)}.";
        }

        /// <summary>The playbook stops at <paramref name="step"/>: recorded, so the incident report can say where and what is still on.</summary>
        private async Task<RemediationReport> StoppedAsync(string step, string number, string next, CancellationToken cancellationToken)
        {
            await Audit.EventAsync("stopped", _command, step, "stopped", next, cancellationToken: cancellationToken).ConfigureAwait(false);
            return Report(RunOutcome.Stopped, healthy: false, stoppedAt: $"{number} ({step})", nextStep: next);
        }

        private RemediationReport Report(RunOutcome outcome, bool? healthy = null, string? stoppedAt = null, string? nextStep = null) => new(
            request.Verb,
            request.Origin,
            target.Masked,
            outcome,
            outcome == RunOutcome.DryRun,
            _steps.ToList(),
            _audit?.Path,
            stoppedAt,
            nextStep,
            healthy,
            outcome == RunOutcome.Busy ? _holder : null,
            Math.Round(_clock.Elapsed.TotalMilliseconds, 1),
            ExitCodeOf(outcome, healthy));

        /// <summary>
        /// 0 done (and, for heal, healthy), nothing to do, or nothing was asked; 1 some action did not go
        /// through, heal left the server unhealthy, or every match was spared; 2 the server still refuses
        /// connections, or a playbook stopped; 3 another remediation holds the lock (PgMedic could not even try).
        /// </summary>
        private ExitCode ExitCodeOf(RunOutcome outcome, bool? healthy)
        {
            switch (outcome)
            {
                case RunOutcome.Busy:
                    return ExitCode.Unknown;
                case RunOutcome.Stopped:
                    return ExitCode.Critical;
                case RunOutcome.NothingToDo:
                    // The problem persists when every match was spared, or heal found trouble it may not act on.
                    return _steps.Any(s => s.Plan?.Spared.Any(x => x.Reason != SpareReason.OwnBackend) == true) || healthy == false ? ExitCode.Warning : ExitCode.Ok;
                case RunOutcome.DryRun or RunOutcome.Declined:
                    return ExitCode.Ok;
            }

            var last = _steps.LastOrDefault(s => s.Verification is not null)?.Verification;
            if (last is not null && last.Probe.Outcome != ProbeOutcome.Accepting)
            {
                return ExitCode.Critical;
            }

            if (request.Verb == RemediationVerb.Heal)
            {
                return healthy == true ? ExitCode.Ok : ExitCode.Warning;
            }

            return _steps.All(s => s.Status is StepStatus.Done or StepStatus.Skipped or StepStatus.NothingToDo) ? ExitCode.Ok : ExitCode.Warning;
        }
    }
}
