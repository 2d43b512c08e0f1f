using System.Text;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Secrets;

/// <summary>
/// A password file libpq would refuse is refused by PgMedic, and nothing behind its back (the driver)
/// reads it anyway; a broken one is a warning, never a crash. Run as real processes: the driver reads
/// the process environment, not the CLI's.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class PasswordFileRefusalTests(SandboxFixture fixture) : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("pgmedic-pgpass-").FullName;

    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string UrlWithoutPassword => $"postgres://postgres@127.0.0.1:{Sandbox.Port}/postgres";

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task WorldReadablePgpassWithTheRightPassword_IgnoredWithWhyAndNotUsedByTheDriverEither()
    {
        var file = Write(".pgpass", $"127.0.0.1:{Sandbox.Port}:*:postgres:{Sandbox.SuperuserPassword}\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var refused = await ProbeAsync(file);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var accepted = await ProbeAsync(file);

        Assert.NotEqual(0, refused.Code);
        Assert.Contains("has group or world access; ignored — chmod 0600 it", refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("accepting", refused.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(accepted.Code == 0, accepted.Output);
    }

    [Theory]
    [InlineData("nul-byte")]
    [InlineData("malformed")]
    [InlineData("directory")]
    public async Task BrokenPasswordFile_ProbeAnswersInOneOutcomeWithoutATrace(string kind)
    {
        var path = kind switch
        {
            "directory" => Directory.CreateDirectory(Path.Combine(_home, "pgpass-dir")).FullName,
            "nul-byte" => Write("nul", $"127.0.0.1:{Sandbox.Port}:*:post\0gres:pw\0x\n"),
            _ => Write("malformed", "::::\n\\\n*:*\n127.0.0.1:notaport:*:postgres\n# only\n"),
        };
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var run = await ProbeAsync(path);

        Assert.NotEqual(0, run.Code);
        Assert.InRange(run.Code, 1, 3);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Sandbox.SuperuserPassword, run.Output, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output)> ProbeAsync(string passFile)
    {
        using var probe = PgMedicProcess.Start(new Dictionary<string, string> { ["PGPASSFILE"] = passFile, ["HOME"] = _home }, "probe", UrlWithoutPassword, "--timeout", "5s");
        var code = await probe.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, probe.Output);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }
}
