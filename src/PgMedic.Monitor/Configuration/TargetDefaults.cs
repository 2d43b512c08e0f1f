using PgMedic.Core.Alerts;
using PgMedic.Core.Slo;

namespace PgMedic.Monitor.Configuration;

/// <summary>
/// What a target takes from the configuration unless it sets its own: the alert rules, the availability
/// objective and session sampling. Every target of a <c>file_sd</c> file takes all of them.
/// </summary>
internal sealed record TargetDefaults(AlertRuleOptions Alerts, SloOptions Slo, bool SessionHistory, TimeSpan? SessionSampleInterval)
{
    public static TargetDefaults From(MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TargetDefaults(options.Alerts, options.Slo, options.SessionHistory.Enabled, options.SessionHistory.Interval);
    }
}
