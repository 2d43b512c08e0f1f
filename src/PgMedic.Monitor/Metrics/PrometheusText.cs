using System.Text;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

/// <summary>
/// The Prometheus text exposition format (0.0.4) of <see cref="MetricCatalogue"/>: what <c>/metrics</c>
/// answers for the instance's targets and <c>/probe</c> for one — the same names, types and help, each
/// series with its <c>target</c> label, metrics without a point left out.
/// </summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly StringBuilder _samples = new();

    public static string Render(TargetStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return Render([status]);
    }

    /// <summary>Every metric of every status given, each status read as it is now (not kept between scrapes).</summary>
    public static string Render(IReadOnlyList<TargetStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var text = new PrometheusText();
        foreach (var metric in MetricCatalogue.All)
        {
            foreach (var status in statuses)
            {
                metric.WriteSamples(status, text);
            }

            if (text._samples.Length == 0)
            {
                continue;
            }

            text._text.Append("# TYPE ").Append(metric.PrometheusName).Append(metric.Kind == MetricKind.Counter ? " counter" : " gauge").Append('\n');
            text._text.Append("# HELP ").Append(metric.PrometheusName).Append(' ').Append(EscapeHelp(metric.Description)).Append('\n');
            text._text.Append(text._samples);
            text._samples.Clear();
        }

        return text._text.ToString();
    }

    /// <summary>One sample line: <c>name{label="value",…} value</c>.</summary>
    public void Sample(string name, ReadOnlySpan<KeyValuePair<string, object?>> labels, string value)
    {
        _samples.Append(name);
        if (labels.Length > 0)
        {
            _samples.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _samples.Append(',');
                }

                _samples.Append(labels[i].Key).Append("=\"").Append(EscapeLabel(labels[i].Value?.ToString() ?? string.Empty)).Append('"');
            }

            _samples.Append('}');
        }

        _samples.Append(' ').Append(value).Append('\n');
    }

    private static string EscapeHelp(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
