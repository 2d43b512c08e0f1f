using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Json;

/// <summary>
/// The <c>exitCode</c> a script reads from the JSON is the exit code the shell sees: pgmedic run as its own
/// process, on cases that do not exit 0 (a 0 everywhere would match by accident).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ProcessExitCodeTests(SandboxFixture fixture) : IDisposable
{
    private readonly string _log = Path.Combine(Path.GetTempPath(), $"pgmedic-exitcode-{Guid.NewGuid():N}.log");

    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Probe_NothingListens_JsonSaysTheProcessExitCode() =>
        Assert.Equal(2, await ExitCodeBothSayAsync("probe", $"postgres://app@127.0.0.1:{SilentListener.UnusedPort()}/shop", "--timeout", "2s", "--format", "json"));

    [Fact]
    public async Task SlowQueries_ExtensionMissing_JsonSaysTheProcessExitCode() =>
        Assert.Equal(3, await ExitCodeBothSayAsync("slow-queries", Sandbox.SuperuserTarget.WithDatabase("template1").ToUrl(), "--format", "json"));

    [Fact]
    public async Task Advise_PoolsCanExhaust_JsonSaysTheProcessExitCode() =>
        Assert.Equal(1, await ExitCodeBothSayAsync("advise", Sandbox.SuperuserTarget.ToUrl(), "--workers", "40", "--format", "json"));

    [Fact]
    public async Task Logs_ServerFull_JsonSaysTheProcessExitCode()
    {
        await File.WriteAllTextAsync(_log, "2025-07-31 03:12:05.123 UTC [4242] FATAL:  sorry, too many clients already\n");
        Assert.Equal(2, await ExitCodeBothSayAsync("logs", _log, "--format", "json"));
    }

    public void Dispose() => File.Delete(_log);

    /// <returns>The process's exit code, after asserting the JSON it printed says the same.</returns>
    private static async Task<int> ExitCodeBothSayAsync(params string[] args)
    {
        using var process = PgMedicProcess.Start(args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        using var json = JsonDocument.Parse(process.Output);
        Assert.Equal(code, json.RootElement.GetProperty("exitCode").GetInt32());
        return code;
    }
}
