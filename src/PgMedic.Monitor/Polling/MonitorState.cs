using System.Collections.Concurrent;
using System.Collections.Immutable;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Polling;

/// <summary>
/// The latest status of every known target, shared by the pollers (writers) and the endpoints and
/// metrics (readers). Targets come and go while the monitor runs (<c>file_sd</c> files): readers get a
/// consistent list, and a poll that finishes after its target was removed or replaced changes nothing.
/// </summary>
internal sealed class MonitorState(MonitorOptions options)
{
    private readonly ConcurrentDictionary<string, TargetStatus> _targets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private ImmutableArray<string> _order = [];
    private ImmutableArray<TargetStatus>? _owned;

    public MonitorOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Every known target, this instance's and other shards', in the order they were added.</summary>
    public IReadOnlyList<TargetStatus> All => _order.Select(name => _targets.GetValueOrDefault(name)).OfType<TargetStatus>().ToList();

    /// <summary>The targets this instance polls (all of them unless sharded): what <c>/metrics</c> and <c>/health</c> report.</summary>
    public IReadOnlyList<TargetStatus> Owned
    {
        get
        {
            if (!Options.Shard.IsSharded)
            {
                return All;
            }

            var names = _owned;
            if (names is null)
            {
                lock (_gate)
                {
                    _owned = names = [.. All.Where(s => Options.Shard.Owns(s.Target.Name))];
                }
            }

            return names.Value.Select(s => _targets.GetValueOrDefault(s.Target.Name)).OfType<TargetStatus>().ToList();
        }
    }

    public TargetStatus? Get(string name) => _targets.GetValueOrDefault(name);

    public bool Owns(string name) => Options.Shard.Owns(name);

    /// <summary>Adds a target, or replaces one of the same name (its status starts over).</summary>
    public void Upsert(MonitoredTarget target, IReadOnlyList<ActiveAlert> restored)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            var added = !_targets.ContainsKey(target.Name);
            _targets[target.Name] = TargetStatus.Initial(target, restored);
            if (added)
            {
                _order = _order.Add(target.Name);
            }

            _owned = null;
        }
    }

    public void Remove(string name)
    {
        lock (_gate)
        {
            _targets.TryRemove(name, out _);
            _order = _order.Remove(name);
            _owned = null;
        }
    }

    /// <summary>Records a poll's result, unless its target was removed or replaced while it ran.</summary>
    public bool Set(TargetStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        while (_targets.TryGetValue(status.Target.Name, out var current))
        {
            if (!ReferenceEquals(current.Target, status.Target))
            {
                return false;
            }

            if (_targets.TryUpdate(status.Target.Name, status, current))
            {
                return true;
            }
        }

        return false;
    }
}
