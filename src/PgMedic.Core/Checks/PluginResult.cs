using System.Globalization;
using System.Text;
using PgMedic.Core.Common;

namespace PgMedic.Core.Checks;

/// <summary>One performance-data item: <c>'label'=value[UOM];[warn];[crit];[min];[max]</c>.</summary>
public sealed record PerfData(string Label, double Value, string Unit = "", double? Warning = null, double? Critical = null, double? Min = null, double? Max = null)
{
    public override string ToString()
    {
        var label = Label.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? Label : $"'{Label.Replace("'", "''", StringComparison.Ordinal)}'";
        return $"{label}={N(Value)}{Unit};{N(Warning)};{N(Critical)};{N(Min)};{N(Max)}";
    }

    private static string N(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty;
}

/// <summary>
/// A monitoring-plugin result in the Nagios plugin format (also read by Icinga, Sensu and Zabbix):
/// <c>SERVICE STATUS - text | perfdata</c> and the exit code 0/1/2/3.
/// </summary>
public sealed record PluginResult(string Service, ExitCode Status, string Text, IReadOnlyList<PerfData> PerfData)
{
    public static string StatusWord(ExitCode status) => status switch
    {
        ExitCode.Ok => "OK",
        ExitCode.Warning => "WARNING",
        ExitCode.Critical => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>The single line the plugin prints; text is kept to one line and free of '|'.</summary>
    public string ToLine()
    {
        var text = new StringBuilder($"{Service} {StatusWord(Status)} - {Text.ReplaceLineEndings(" ").Replace('|', '/')}");
        if (PerfData.Count > 0)
        {
            text.Append(" | ").AppendJoin(' ', PerfData);
        }

        return text.ToString();
    }

    public static ExitCode Compare(double value, double? warning, double? critical, bool higherIsWorse = true)
    {
        bool Breaches(double? threshold) => threshold is { } t && (higherIsWorse ? value >= t : value <= t);
        return Breaches(critical) ? ExitCode.Critical : Breaches(warning) ? ExitCode.Warning : ExitCode.Ok;
    }
}
