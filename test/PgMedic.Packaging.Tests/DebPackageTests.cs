using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Packaging.Tests;

/// <summary>The .deb as a user gets it: installed with dpkg on this machine, used, upgraded and purged.</summary>
[Collection(PackagingCollection.Name)]
public sealed partial class DebPackageTests(SandboxFixture fixture) : IDisposable
{
    private const string Unit = "/usr/lib/systemd/system/pgmedic-serve.service";
    private const string Config = "/etc/pgmedic/pgmedic.json";
    private const string State = "/var/lib/pgmedic";

    private readonly string _scratch = Directory.CreateTempSubdirectory("pgmedic-deb-test-").FullName;

    [Fact]
    public async Task Deb_Control_DeclaresVersionDependenciesAndConffile()
    {
        var fields = (await Run.ExecAsync("dpkg-deb", "-f", Artifacts.Deb, "Package", "Version", "Architecture", "Depends")).Succeeded().Out;
        var conffiles = (await Run.ExecAsync("dpkg-deb", "-I", Artifacts.Deb, "conffiles")).Succeeded().Out;
        var contents = (await Run.ExecAsync("dpkg-deb", "-c", Artifacts.Deb)).Succeeded().Out;

        Assert.Contains("Package: pgmedic\n", fields, StringComparison.Ordinal);
        Assert.Contains($"Version: {Artifacts.Version}\n", fields, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64\n", fields, StringComparison.Ordinal);
        Assert.Matches(@"Depends: libc6 \(>= 2\.\d+\)", fields);
        Assert.Contains("libssl3", fields, StringComparison.Ordinal);
        Assert.Equal(Config, conffiles.Trim());
        Assert.Contains(" ./usr/bin/pgmedic", contents, StringComparison.Ordinal);
        Assert.Contains(" ." + Unit + "\n", contents, StringComparison.Ordinal);
        Assert.Contains(" ." + Config + "\n", contents, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deb_InstallThenPurge_ProbesSandboxAndLeavesNothingBehind()
    {
        await Dpkg.AssertNotInstalledAsync();
        var files = (await Run.ExecAsync("dpkg-deb", "-c", Artifacts.Deb)).Succeeded().Out
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => PathInListing().Match(line).Groups["path"].Value.TrimEnd('/'))
            .Where(p => p.Length > 0)
            .Append(State)
            .ToList();
        var existedBefore = files.Where(p => Path.Exists(p)).ToHashSet(StringComparer.Ordinal);

        await Dpkg.InstallAsync(Artifacts.Deb);
        try
        {
            Assert.Equal("ii", await Dpkg.StatusAsync());
            await Probe.AssertVersionAsync("/usr/bin/pgmedic");
            await Probe.AssertAcceptingAsync("/usr/bin/pgmedic", fixture.Sandbox);
            var user = await Dpkg.PasswdEntryAsync("pgmedic");
            Assert.NotNull(user);
            Assert.EndsWith($":{State}:/usr/sbin/nologin", user, StringComparison.Ordinal);
            Assert.True(int.Parse(user.Split(':')[2], CultureInfo.InvariantCulture) < 1000, "pgmedic is a system user: " + user);
            Assert.Equal("pgmedic:pgmedic 750", (await Run.ExecAsync("stat", "-c", "%U:%G %a", State)).Succeeded().Out.Trim());
            Assert.Equal("root:pgmedic 640", (await Run.ExecAsync("stat", "-c", "%U:%G %a", Config)).Succeeded().Out.Trim());
        }
        finally
        {
            await Dpkg.PurgeAsync();
        }

        Assert.Equal("", await Dpkg.StatusAsync());
        Assert.Null(await Dpkg.PasswdEntryAsync("pgmedic"));
        Assert.False(await Dpkg.GroupExistsAsync("pgmedic"), "the pgmedic group outlived the purge");
        var left = files.Where(p => !existedBefore.Contains(p) && Path.Exists(p)).ToList();
        Assert.True(left.Count == 0, "the purge left: " + string.Join(", ", left));
    }

    [Fact]
    public async Task Deb_ServiceUnit_PassesSystemdAnalyzeVerifyAndIsHardened()
    {
        await Dpkg.AssertNotInstalledAsync();
        await Dpkg.InstallAsync(Artifacts.Deb);
        try
        {
            // verify checks the unit against the installed system (user, ExecStart binary); any line it prints is a finding.
            var verify = await Run.ExecAsync("systemd-analyze", "verify", Unit);
            Assert.True(verify.ExitCode == 0 && verify.All.Trim().Length == 0, $"systemd-analyze verify {Unit} exited {verify.ExitCode}:\n{verify.All}");

            var security = (await Run.ExecAsync("systemd-analyze", "security", "--offline=yes", "--no-pager", Unit)).Succeeded();
            var exposure = double.Parse(ExposureLevel().Match(security.Out).Groups["level"].Value, CultureInfo.InvariantCulture);
            Assert.True(exposure <= 2.0, $"systemd rates the unit's exposure {exposure} (0 best, 10 worst); it was 1.5 when the unit was written:\n{security.Out}");
        }
        finally
        {
            await Dpkg.PurgeAsync();
        }
    }

    [Fact]
    public async Task Deb_ServiceCommandAsServiceUser_ServesHealthWithHistoryInStateDirectory()
    {
        await Dpkg.AssertNotInstalledAsync();
        await Dpkg.InstallAsync(Artifacts.Deb);
        try
        {
            // The unit's own user, working directory and command line, with the shipped default configuration
            // and one target added the documented way (PGMEDIC_* variables).
            var unit = await File.ReadAllLinesAsync(Unit);
            string Setting(string key) => unit.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
            Assert.Equal("pgmedic", Setting("User"));
            Assert.Equal(State, Setting("WorkingDirectory"));
            var command = Setting("ExecStart").Split(' ');
            var info = new ProcessStartInfo("setpriv")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = State,
            };
            foreach (var arg in new[] { "--reuid=pgmedic", "--regid=pgmedic", "--init-groups" }.Concat(command))
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment.Remove("DATABASE_URL");
            info.Environment["HOME"] = State;
            info.Environment["PGMEDIC_targets__0__name"] = "sandbox";
            info.Environment["PGMEDIC_targets__0__connection"] = fixture.Sandbox.SuperuserTarget.ToUrl();
            info.Environment["PGMEDIC_port"] = "0";
            using var serve = Process.Start(info)!;
            var output = new StringBuilder();
            serve.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            serve.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            serve.BeginOutputReadLine();
            serve.BeginErrorReadLine();
            string Printed() { lock (output) { return output.ToString(); } }
            try
            {
                var stopwatch = Stopwatch.StartNew();
                Match listening;
                while (!(listening = ListeningOn().Match(Printed())).Success)
                {
                    Assert.True(!serve.HasExited && stopwatch.Elapsed < TimeSpan.FromSeconds(60), "pgmedic serve did not start listening:\n" + Printed());
                    await Task.Delay(100);
                }

                using var http = new HttpClient { BaseAddress = new Uri(listening.Groups["url"].Value), Timeout = TimeSpan.FromSeconds(20) };
                // /health answers 503 until the first poll has connected.
                var (status, body) = (0, "");
                while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
                {
                    using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
                    (status, body) = ((int)health.StatusCode, await health.Content.ReadAsStringAsync());
                    if (status == 200)
                    {
                        break;
                    }

                    await Task.Delay(200);
                }

                Assert.True(status == 200, $"/health answered {status}: {body}\n{Printed()}");
                using var json = JsonDocument.Parse(body);
                Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
                Assert.Equal("connected", json.RootElement.GetProperty("database").GetString());
                Assert.Contains($"history in {State}/history.db", Printed(), StringComparison.Ordinal);
                Assert.Equal("pgmedic", (await Run.ExecAsync("stat", "-c", "%U", $"{State}/history.db")).Succeeded().Out.Trim());
            }
            finally
            {
                if (!serve.HasExited)
                {
                    (await Run.ExecAsync("kill", "-TERM", serve.Id.ToString(CultureInfo.InvariantCulture))).Succeeded();
                }

                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await serve.WaitForExitAsync(stop.Token);
            }

            Assert.True(serve.ExitCode == 0, $"pgmedic serve exited {serve.ExitCode} on SIGTERM:\n{Printed()}");
        }
        finally
        {
            await Dpkg.PurgeAsync();
        }
    }

    [Fact]
    public async Task Deb_UpgradeThenRemove_KeepsChangedConfigAndStateUntilPurge()
    {
        await Dpkg.AssertNotInstalledAsync();
        var next = Artifacts.Version + "+upgrade1";
        var upgrade = await Dpkg.RepackAsync(Artifacts.Deb, next, _scratch);
        await Dpkg.InstallAsync(Artifacts.Deb);
        try
        {
            var uid = (await Dpkg.PasswdEntryAsync("pgmedic"))!.Split(':')[2];
            var config = (await File.ReadAllTextAsync(Config)).Replace("\"pollInterval\": \"5s\"", "\"pollInterval\": \"15s\"", StringComparison.Ordinal);
            Assert.Contains("\"pollInterval\": \"15s\"", config, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Config, config);
            await File.WriteAllTextAsync($"{State}/audit.jsonl", "{\"kept\":true}\n");

            await Dpkg.InstallAsync(upgrade);

            Assert.Equal(next, await Dpkg.InstalledVersionAsync());
            Assert.Equal(config, await File.ReadAllTextAsync(Config));
            Assert.True(File.Exists($"{State}/audit.jsonl"), "the upgrade removed the state directory's audit log");
            Assert.Equal(uid, (await Dpkg.PasswdEntryAsync("pgmedic"))!.Split(':')[2]);
            await Probe.AssertAcceptingAsync("/usr/bin/pgmedic", fixture.Sandbox);

            await Dpkg.RemoveAsync();

            Assert.Equal("rc", await Dpkg.StatusAsync());
            Assert.False(Path.Exists("/usr/bin/pgmedic"), "remove left /usr/bin/pgmedic");
            Assert.Equal(config, await File.ReadAllTextAsync(Config));
            Assert.True(File.Exists($"{State}/audit.jsonl"), "remove (not purge) deleted the state directory");
            Assert.NotNull(await Dpkg.PasswdEntryAsync("pgmedic"));
        }
        finally
        {
            await Dpkg.PurgeAsync();
        }

        Assert.Equal("", await Dpkg.StatusAsync());
        Assert.False(Path.Exists(Config), "purge left the configuration");
        Assert.False(Path.Exists(State), "purge left the state directory");
        Assert.Null(await Dpkg.PasswdEntryAsync("pgmedic"));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [GeneratedRegex(@"\s\.(?<path>/\S*)(\s->.*)?$")]
    private static partial Regex PathInListing();

    [GeneratedRegex(@"Overall exposure level for \S+: (?<level>\d+(\.\d+)?)")]
    private static partial Regex ExposureLevel();

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningOn();
}
