using Npgsql;
using PgMedic.Guard;
using PgMedic.Guard.Configuration;

namespace PgMedic.Bench.Guard;

/// <summary>One way of getting a connection: raw Npgsql, or the guard with a stack-trace setting.</summary>
internal sealed class Variant : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _raw;
    private readonly GuardedDataSource? _guard;

    private Variant(string name, NpgsqlDataSource? raw, GuardedDataSource? guard)
    {
        Name = name;
        _raw = raw;
        _guard = guard;
    }

    public string Name { get; }

    public static Variant Raw(string connectionString, int poolSize)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true, MaxPoolSize = poolSize, Timeout = 30 };
        return new Variant("raw Npgsql", NpgsqlDataSource.Create(builder.ConnectionString), null);
    }

    public static Variant Guarded(string name, string connectionString, int poolSize, StackTraceMode stacks, int sampleRate = 100)
    {
        var guard = GuardedDataSource.Create(new GuardOptions
        {
            ConnectionString = connectionString,
            Name = name,
            PoolSize = poolSize,
            MaxOverflow = 0,
            StackTraces = stacks,
            StackTraceSampleRate = sampleRate,
        });
        return new Variant(name, null, guard);
    }

    public ValueTask<NpgsqlConnection> OpenAsync() => _raw is not null ? _raw.OpenConnectionAsync() : _guard!.OpenConnectionAsync();

    public async ValueTask DisposeAsync()
    {
        if (_raw is not null)
        {
            await _raw.DisposeAsync();
        }

        if (_guard is not null)
        {
            await _guard.DisposeAsync();
        }
    }
}
