using PgMedic.Testing;

namespace PgMedic.Packaging.Tests;

[Collection(PackagingCollection.Name)]
public sealed class TarballTests(SandboxFixture fixture) : IDisposable
{
    private readonly string _scratch = System.IO.Directory.CreateTempSubdirectory("pgmedic-tarball-test-").FullName;

    [Fact]
    public async Task Tarball_ChecksumFile_VerifiesWithSha256sum()
    {
        var checksum = Artifacts.File(Artifacts.TarballName + ".sha256");

        var run = (await Run.ExecAsync("sha256sum", ["-c", Path.GetFileName(checksum)], workingDirectory: Artifacts.Directory)).Succeeded();

        Assert.Equal($"{Artifacts.TarballName}: OK", run.Out.Trim());
    }

    [Fact]
    public async Task Tarball_ChecksumOfAlteredCopy_FailsSha256sum()
    {
        File.Copy(Artifacts.File(Artifacts.TarballName + ".sha256"), Path.Combine(_scratch, Artifacts.TarballName + ".sha256"));
        await using (var altered = File.Create(Path.Combine(_scratch, Artifacts.TarballName)))
        {
            await using var original = File.OpenRead(Artifacts.Tarball);
            await original.CopyToAsync(altered);
            altered.WriteByte(0);
        }

        var run = await Run.ExecAsync("sha256sum", ["-c", Artifacts.TarballName + ".sha256"], workingDirectory: _scratch);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAILED", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tarball_Extracted_RunsWithEveryLibraryFoundAndProbesSandbox()
    {
        (await Run.ExecAsync("tar", "-xzf", Artifacts.Tarball, "-C", _scratch)).Succeeded();
        var pgmedic = Path.Combine(_scratch, $"pgmedic-{Artifacts.Version}-linux-x64", "pgmedic");

        var ldd = (await Run.ExecAsync("ldd", pgmedic)).Succeeded();

        Assert.DoesNotContain("not found", ldd.Out, StringComparison.Ordinal);
        await Probe.AssertVersionAsync(pgmedic);
        await Probe.AssertAcceptingAsync(pgmedic, fixture.Sandbox);
    }

    public void Dispose() => System.IO.Directory.Delete(_scratch, recursive: true);
}
