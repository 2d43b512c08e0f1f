using PgMedic.Testing;

namespace PgMedic.Packaging.Tests;

/// <summary>
/// What scripts/package.sh left in artifacts/. A missing file fails the test (never a skip): test.sh runs
/// the script after the build, and CI must test the packages it would ship.
/// </summary>
internal static class Artifacts
{
    public static string Directory { get; } = Path.Combine(BuildOutput.RepositoryRoot(), "artifacts");

    /// <summary>The one version, from VERSION at the repository root.</summary>
    public static string Version { get; } = System.IO.File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot(), "VERSION")).Trim();

    public static string Deb => File($"pgmedic_{Version}_amd64.deb");

    public static string TarballName => $"pgmedic-{Version}-linux-x64.tar.gz";

    public static string Tarball => File(TarballName);

    public static string NuGetFolder => Path.GetDirectoryName(File(Path.Combine("nuget", $"pgmedic.{Version}.nupkg")))!;

    public static string File(string relativePath)
    {
        var path = Path.Combine(Directory, relativePath);
        Assert.True(
            System.IO.File.Exists(path),
            $"{path} is missing: run scripts/package.sh first (test.sh does, after the build){(Environment.GetEnvironmentVariable("CI") == "true" ? "; in CI this is a failure, not a skip" : "")}");
        return path;
    }
}
