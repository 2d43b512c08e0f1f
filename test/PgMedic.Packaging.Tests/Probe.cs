using System.Text.Json;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Packaging.Tests;

internal static class Probe
{
    /// <summary>Runs an installed <c>pgmedic probe</c> against the sandbox and asserts it connected.</summary>
    public static async Task AssertAcceptingAsync(string pgmedic, PostgresSandbox sandbox)
    {
        var run = (await Run.ExecAsync(pgmedic, "probe", sandbox.SuperuserTarget.ToUrl(), "--format", "json")).Succeeded();
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("accepting", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal($"postgres://postgres:***@127.0.0.1:{sandbox.Port}/postgres", json.RootElement.GetProperty("target").GetString());
        Assert.DoesNotContain(sandbox.SuperuserPassword, run.All, StringComparison.Ordinal);
    }

    /// <summary><c>pgmedic --version</c> starts with VERSION (a build suffix such as +commit may follow).</summary>
    public static async Task AssertVersionAsync(string pgmedic)
    {
        var run = (await Run.ExecAsync(pgmedic, "--version")).Succeeded();
        Assert.StartsWith(Artifacts.Version, run.Out.Trim(), StringComparison.Ordinal);
    }
}
