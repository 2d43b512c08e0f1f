namespace PgMedic.Packaging.Tests;

/// <summary>Installs and purges the pgmedic package on this machine (the tests run as root, as CI does).</summary>
internal static class Dpkg
{
    public const string Package = "pgmedic";

    /// <summary>
    /// Fails unless pgmedic is absent: the tests install and purge it, which must never happen to an
    /// installation someone made on purpose.
    /// </summary>
    public static async Task AssertNotInstalledAsync()
    {
        var status = await StatusAsync();
        Assert.True(status is "" or "un" or "pn", $"the {Package} package is installed here (dpkg status '{status}'); the tests install and purge it, so remove it first: dpkg --purge {Package}");
    }

    /// <summary>dpkg's two-letter status (<c>ii</c> installed, <c>rc</c> removed with its configuration kept), or "" when unknown to dpkg.</summary>
    public static async Task<string> StatusAsync()
    {
        var run = await Run.ExecAsync("dpkg-query", "-W", "-f", "${db:Status-Abbrev}", Package);
        return run.ExitCode == 0 ? run.Out.Trim() : "";
    }

    public static async Task<string> InstalledVersionAsync() =>
        (await Run.ExecAsync("dpkg-query", "-W", "-f", "${Version}", Package)).Succeeded().Out.Trim();

    public static async Task InstallAsync(string deb) => (await Run.ExecAsync("dpkg", ["-i", deb], TimeSpan.FromMinutes(3))).Succeeded();

    public static async Task RemoveAsync() => (await Run.ExecAsync("dpkg", ["-r", Package], TimeSpan.FromMinutes(2))).Succeeded();

    public static async Task PurgeAsync() => (await Run.ExecAsync("dpkg", ["--purge", Package], TimeSpan.FromMinutes(2))).Succeeded();

    /// <summary>Every path the installed package owns, as <c>dpkg -L</c> lists them.</summary>
    public static async Task<IReadOnlyList<string>> FilesAsync() =>
        (await Run.ExecAsync("dpkg", "-L", Package)).Succeeded().Out
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => p != "/.")
            .ToList();

    /// <summary>The same package under another version, as the next release would be.</summary>
    public static async Task<string> RepackAsync(string deb, string version, string scratch)
    {
        var tree = Path.Combine(scratch, "repack");
        (await Run.ExecAsync("dpkg-deb", "-R", deb, tree)).Succeeded();
        var control = Path.Combine(tree, "DEBIAN", "control");
        var lines = (await File.ReadAllLinesAsync(control)).Select(l => l.StartsWith("Version: ", StringComparison.Ordinal) ? "Version: " + version : l);
        await File.WriteAllLinesAsync(control, lines);
        var output = Path.Combine(scratch, $"{Package}_{version}_amd64.deb");
        (await Run.ExecAsync("dpkg-deb", ["--root-owner-group", "-Zgzip", "-b", tree, output], TimeSpan.FromMinutes(3))).Succeeded();
        return output;
    }

    /// <summary>The user's entry in /etc/passwd (<c>name:x:uid:gid:comment:home:shell</c>), or null.</summary>
    public static async Task<string?> PasswdEntryAsync(string user)
    {
        var run = await Run.ExecAsync("getent", "passwd", user);
        return run.ExitCode == 0 ? run.Out.Trim() : null;
    }

    public static async Task<bool> GroupExistsAsync(string group) => (await Run.ExecAsync("getent", "group", group)).ExitCode == 0;
}
