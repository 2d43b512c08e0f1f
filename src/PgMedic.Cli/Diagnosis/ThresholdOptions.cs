using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Cli.Diagnosis;

/// <summary>The diagnosis thresholds as command-line options, defaults from <see cref="DiagnosisOptions"/>.</summary>
internal sealed class ThresholdOptions
{
    private static readonly DiagnosisOptions Defaults = new();

    private readonly Option<double> _saturationWarning = new("--saturation-warning")
    {
        Description = "Warn at this percentage of usable slots (default 80)",
        HelpName = "percent",
        DefaultValueFactory = _ => Defaults.SaturationWarningPercent,
    };

    private readonly Option<double> _saturationCritical = new("--saturation-critical")
    {
        Description = "Critical at this percentage of usable slots (default 90)",
        HelpName = "percent",
        DefaultValueFactory = _ => Defaults.SaturationCriticalPercent,
    };

    private readonly Option<TimeSpan> _idleInTransactionWarning = CommonOptions.DurationOption("--idle-in-transaction-warning", "--iit-warning", "Warn about sessions idle in a transaction this long", Defaults.IdleInTransactionWarning);
    private readonly Option<TimeSpan> _idleInTransactionCritical = CommonOptions.DurationOption("--idle-in-transaction-critical", "--iit-critical", "Critical for sessions idle in a transaction this long", Defaults.IdleInTransactionCritical);
    private readonly Option<TimeSpan> _idleFor = CommonOptions.DurationOption("--idle-for", "-i", "Idle connections older than this are stale (runbook step 1)", Defaults.HoardingIdleFor);
    private readonly Option<TimeSpan> _longQueryWarning = CommonOptions.DurationOption("--long-query-warning", "--lq-warning", "Warn about queries running this long", Defaults.LongQueryWarning);
    private readonly Option<TimeSpan> _longQueryCritical = CommonOptions.DurationOption("--long-query-critical", "--lq-critical", "Critical for queries running this long", Defaults.LongQueryCritical);
    private readonly Option<TimeSpan> _blockingWarning = CommonOptions.DurationOption("--blocking-warning", "--bw", "Warn when a lock waiter has waited this long", Defaults.BlockingWarning);

    public void AddTo(Command command)
    {
        command.Options.Add(_saturationWarning);
        command.Options.Add(_saturationCritical);
        command.Options.Add(_idleInTransactionWarning);
        command.Options.Add(_idleInTransactionCritical);
        command.Options.Add(_idleFor);
        command.Options.Add(_longQueryWarning);
        command.Options.Add(_longQueryCritical);
        command.Options.Add(_blockingWarning);
    }

    /// <exception cref="UsageException">The thresholds contradict each other; every problem is named.</exception>
    public DiagnosisOptions Read(ParseResult parseResult)
    {
        var blockingWarning = parseResult.GetValue(_blockingWarning);
        var options = new DiagnosisOptions
        {
            SaturationWarningPercent = parseResult.GetValue(_saturationWarning),
            SaturationCriticalPercent = parseResult.GetValue(_saturationCritical),
            IdleInTransactionWarning = parseResult.GetValue(_idleInTransactionWarning),
            IdleInTransactionCritical = parseResult.GetValue(_idleInTransactionCritical),
            HoardingIdleFor = parseResult.GetValue(_idleFor),
            LongQueryWarning = parseResult.GetValue(_longQueryWarning),
            LongQueryCritical = parseResult.GetValue(_longQueryCritical),
            BlockingWarning = blockingWarning,
            BlockingCritical = blockingWarning > Defaults.BlockingCritical ? blockingWarning : Defaults.BlockingCritical,
        };
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new UsageException(string.Join("; ", errors));
    }
}
