using System.Runtime.CompilerServices;
using Npgsql;
using PgMedic.Core.Secrets;

namespace PgMedic.Postgres.Collection;

/// <summary>
/// The text a connection's snapshots read — query text, application names, states, wait events — kept from
/// one snapshot to the next. Most sessions send the same text poll after poll (every lifeline on a server
/// shows the same snapshot statement), so a text seen in the previous snapshot is used again instead of a
/// fresh copy: a monitor keeps one instance where it kept one per session per target, the copies it
/// replaces die young instead of in the oldest generation, and the scrubber (a dozen scans of each text)
/// runs once per new text. Only what the latest snapshot read is kept.
/// </summary>
internal sealed class SessionTexts
{
    private static readonly ConditionalWeakTable<NpgsqlConnection, SessionTexts> ByConnection = new();

    private Dictionary<string, (string Read, string Kept)> _previous = new(StringComparer.Ordinal);
    private Dictionary<string, (string Read, string Kept)> _current = new(StringComparer.Ordinal);

    /// <summary>The connection's texts, turned to a new snapshot: what the one before read stays usable, the rest is let go.</summary>
    public static SessionTexts Next(NpgsqlConnection connection)
    {
        var texts = ByConnection.GetOrCreateValue(connection);
        (texts._previous, texts._current) = (texts._current, texts._previous);
        texts._current.Clear();
        return texts;
    }

    /// <summary>The text as read, or the same text's instance from the previous snapshot.</summary>
    public string? Shared(string? read) => read is null ? null : Keep(read, static (text, _) => text, null);

    /// <summary>The text scrubbed of the target's password: scrubbed once while it keeps coming back.</summary>
    public string? Scrubbed(string? read, SecretScrubber scrubber) => read is null ? null : Keep(read, static (text, s) => s!.Scrub(text), scrubber);

    private string Keep(string read, Func<string, SecretScrubber?, string> make, SecretScrubber? scrubber)
    {
        if (_current.TryGetValue(read, out var entry))
        {
            return entry.Kept;
        }

        if (_previous.TryGetValue(read, out entry))
        {
            // The earlier instances, not the copy just read: that one is let go at once.
            _current[entry.Read] = entry;
            return entry.Kept;
        }

        entry = (read, make(read, scrubber));
        _current[read] = entry;
        return entry.Kept;
    }
}
