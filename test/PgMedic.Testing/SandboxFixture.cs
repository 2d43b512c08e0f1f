using PgMedic.Postgres.Sandbox;
using Xunit;

namespace PgMedic.Testing;

/// <summary>
/// One real PostgreSQL sandbox shared by every test of a collection: the same code <c>pgmedic demo</c>
/// uses. Tests that need other server settings start their own with <see cref="PostgresSandbox.StartAsync"/>.
/// </summary>
public class SandboxFixture : IAsyncLifetime
{
    private PostgresSandbox? _sandbox;

    public PostgresSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("the sandbox fixture has not started");

    protected virtual SandboxOptions Options => new() { MaxConnections = 40 };

    public async Task InitializeAsync() => _sandbox = await PostgresSandbox.StartAsync(Options);

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }
}
