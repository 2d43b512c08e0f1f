using PgMedic.Core.Activity;

namespace PgMedic.Cli.Top;

/// <summary>The plan a key's dialog shows before anything runs: what would be done, what is spared and why.</summary>
internal sealed record TopDialog(string Question, IReadOnlyList<string> Lines, bool CanRun);

/// <summary>What the operator has chosen so far: view, order, filters, cursor, tags, and the last action's result.</summary>
internal sealed class TopState(TopQuery query, TopViewKind view, TimeSpan interval, bool readOnly)
{
    public TopQuery Query { get; set; } = query;

    public TopViewKind View { get; set; } = view;

    public TimeSpan Interval { get; set; } = interval;

    public bool ReadOnly { get; } = readOnly;

    public bool Paused { get; set; }

    public bool Help { get; set; }

    /// <summary>The session under the cursor, kept by PID across refreshes.</summary>
    public int? CursorPid { get; set; }

    /// <summary>Where the cursor was, for when its session is gone.</summary>
    public int CursorIndex { get; set; }

    public HashSet<int> Tagged { get; } = [];

    /// <summary>The last action's outcome: stays on screen until the next action.</summary>
    public string? Result { get; set; }

    public LineStyle ResultStyle { get; set; } = LineStyle.Plain;

    /// <summary>Why the latest refresh failed (the frame shown is then the previous one).</summary>
    public string? Error { get; set; }

    public TopDialog? Dialog { get; set; }

    /// <summary>The filter being typed after <c>/</c>; null when no prompt is open.</summary>
    public string? Prompt { get; set; }
}
