using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PgMedic.Monitor.Shards;

/// <summary>
/// Which share of the target list this instance polls: shard <see cref="Index"/> of <see cref="Count"/>
/// (<c>serve --shard 1/3</c>). Every instance reads the same list and computes the same owner for each
/// target by rendezvous hashing of its name, so no coordination is needed; when the count changes only
/// the targets of the added or removed shard move (about 1/N of them), not the whole list.
/// </summary>
/// <param name="PeerUrl">
/// Where shard <c>{shard}</c> answers, e.g. <c>http://pgmedic-{shard}.pgmedic:9733/</c> (a StatefulSet's
/// pods); the API names the owner of another shard's target by it. Null: the owner is named by number only.
/// </param>
public sealed record ShardOptions(int Index, int Count, string? PeerUrl = null)
{
    public static readonly ShardOptions Single = new(0, 1);

    public bool IsSharded => Count > 1;

    public bool Owns(string target) => OwnerOf(target) == Index;

    /// <summary>The shard that polls <paramref name="target"/>: the highest SHA-256 score of (name, shard) — stable across versions, machines and restarts.</summary>
    public int OwnerOf(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Count <= 1)
        {
            return 0;
        }

        var best = 0;
        ulong bestScore = 0;
        Span<byte> hash = stackalloc byte[32];
        for (var shard = 0; shard < Count; shard++)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{target}\n{shard}")), hash);
            var score = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash);
            if (shard == 0 || score > bestScore)
            {
                best = shard;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>The base address of shard <paramref name="shard"/>, from <see cref="PeerUrl"/>; null when none is configured.</summary>
    public Uri? UrlOf(int shard) =>
        PeerUrl is { } template && Uri.TryCreate(template.Replace("{shard}", shard.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), UriKind.Absolute, out var url) ? url : null;

    /// <summary>Reads <c>I/N</c> (<c>0/2</c>, <c>1/2</c>); null and why when it is not one.</summary>
    public static (ShardOptions? Shard, string? Error) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return (null, $"'{text}' is not I/N: give this instance's shard and the number of shards, e.g. 0/2 and 1/2 for two instances");
        }

        if (count is < 1 or > 1024)
        {
            return (null, $"'{text}': the number of shards must be between 1 and 1024");
        }

        return index >= count
            ? (null, $"'{text}': shards are numbered from 0 to {count - 1}")
            : (new ShardOptions(index, count), null);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
