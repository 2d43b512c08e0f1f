using System.Diagnostics.Metrics;
using System.Globalization;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

internal enum MetricKind
{
    Gauge,
    Counter,
}

/// <summary>
/// One metric of <see cref="MetricCatalogue"/>: its OpenTelemetry name (<c>pgmedic.probe_latency</c>),
/// kind, unit and help, and how to read its points from one target's latest status.
/// </summary>
internal abstract class MetricDefinition(string name, MetricKind kind, string? unit, string description)
{
    public string Name => name;

    public MetricKind Kind => kind;

    public string? Unit => unit;

    public string Description => description;

    /// <summary>
    /// Its Prometheus name, as OpenTelemetry's conventions derive it: dots to underscores, the unit as a suffix
    /// (<c>s</c> is <c>_seconds</c>) and <c>_total</c> on counters.
    /// </summary>
    public string PrometheusName =>
        name.Replace('.', '_') + (unit == "s" ? "_seconds" : string.Empty) + (kind == MetricKind.Counter ? "_total" : string.Empty);

    /// <summary>Registers an observable instrument that reads every status <paramref name="statuses"/> gives at collection time.</summary>
    public abstract void Register(Meter meter, Func<IEnumerable<TargetStatus>> statuses);

    /// <summary>This metric's points for one target, as Prometheus text sample lines (no HELP/TYPE).</summary>
    public abstract void WriteSamples(TargetStatus status, PrometheusText text);
}

internal sealed class MetricDefinition<T>(string name, MetricKind kind, string? unit, string description, Func<TargetStatus, IEnumerable<Measurement<T>>> read)
    : MetricDefinition(name, kind, unit, description)
    where T : struct
{
    public override void Register(Meter meter, Func<IEnumerable<TargetStatus>> statuses)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(statuses);
        Func<IEnumerable<Measurement<T>>> observe = () => statuses().SelectMany(read).ToList();
        if (Kind == MetricKind.Counter)
        {
            meter.CreateObservableCounter(Name, observe, Unit, Description);
        }
        else
        {
            meter.CreateObservableGauge(Name, observe, Unit, Description);
        }
    }

    public override void WriteSamples(TargetStatus status, PrometheusText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var point in read(status))
        {
            text.Sample(PrometheusName, point.Tags, Format(point.Value));
        }
    }

    private static string Format(T value) => value switch
    {
        double d when double.IsNaN(d) => "NaN",
        double d when double.IsPositiveInfinity(d) => "+Inf",
        double d when double.IsNegativeInfinity(d) => "-Inf",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "0",
    };
}
