using PgMedic.Shared;

namespace PgMedic.Core.Common;

/// <summary>
/// Durations as people type them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>; a bare number is seconds.
/// The grammar is <see cref="DurationGrammar"/>, shared with PgMedic.Guard as linked source.
/// </summary>
public static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value) => DurationGrammar.TryParse(text, out value);

    /// <summary>Short human form: <c>450ms</c>, <c>12s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d3h</c>.</summary>
    public static string Format(TimeSpan value) => DurationGrammar.Format(value);
}
