using System.IO.Compression;
using PgMedic.Testing;

namespace PgMedic.Packaging.Tests;

[Collection(PackagingCollection.Name)]
public sealed class DotnetToolTests(SandboxFixture fixture) : IDisposable
{
    private readonly string _scratch = System.IO.Directory.CreateTempSubdirectory("pgmedic-tool-test-").FullName;

    [Fact]
    public async Task DotnetToolInstall_FromArtifacts_PgmedicCommandProbesSandbox()
    {
        // Only artifacts/nuget as a source: the tool package must carry everything it runs on.
        var config = Path.Combine(_scratch, "NuGet.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="artifacts" value="{Artifacts.NuGetFolder}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_scratch, "tools");

        (await Run.ExecAsync("dotnet", ["tool", "install", "--tool-path", tools, "--configfile", config, "--version", Artifacts.Version, "pgmedic"], TimeSpan.FromMinutes(3), _scratch)).Succeeded();

        // What runs is what artifacts/nuget holds, not an older package of the same version from a cache.
        var installed = Path.Combine(tools, ".store", "pgmedic", Artifacts.Version, "pgmedic", Artifacts.Version, "tools", "net10.0", "any", "pgmedic.dll");
        using (var package = ZipFile.OpenRead(Artifacts.File(Path.Combine("nuget", $"pgmedic.{Artifacts.Version}.nupkg"))))
        await using (var packed = package.GetEntry("tools/net10.0/any/pgmedic.dll")!.Open())
        {
            using var copy = new MemoryStream();
            await packed.CopyToAsync(copy);
            Assert.Equal(copy.ToArray(), await File.ReadAllBytesAsync(installed));
        }

        var pgmedic = Path.Combine(tools, "pgmedic");
        await Probe.AssertVersionAsync(pgmedic);
        await Probe.AssertAcceptingAsync(pgmedic, fixture.Sandbox);
    }

    public void Dispose() => System.IO.Directory.Delete(_scratch, recursive: true);
}
