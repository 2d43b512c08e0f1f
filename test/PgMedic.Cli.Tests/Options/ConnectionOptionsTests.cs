using System.Globalization;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Options;

/// <summary>
/// psql's -h -p -U -d on every verb that connects, against a real sandbox, and the precedence between
/// them, TARGET, the PG* variables and DATABASE_URL.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ConnectionOptionsTests(SandboxFixture fixture) : IAsyncLifetime
{
    private const string User = "opts_user";
    private const string Password = "opts-pw-5";
    private const string Database = "opts_db";
    private static readonly SemaphoreSlim SetUp = new(1, 1);
    private static int _setUpFor;

    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Port => Sandbox.Port.ToString(CultureInfo.InvariantCulture);

    private string Masked => $"postgres://{User}:***@127.0.0.1:{Port}/{Database}";

    /// <summary>The URL of the role and database the options name, password included.</summary>
    private string Url => $"postgres://{User}:{Password}@127.0.0.1:{Port}/{Database}";

    public static TheoryData<string[]> ConnectingVerbs() => new()
    {
        new[] { "probe" },
        new[] { "diagnose", "--format", "json" },
        new[] { "check", "connections" },
        new[] { "check", "idle-in-transaction" },
        new[] { "check", "long-queries" },
        new[] { "check", "blocking" },
        new[] { "activity", "--format", "json" },
        new[] { "top" },
        new[] { "slow-queries" },
        new[] { "terminate", "--state", "idle", "--format", "markdown" },
        new[] { "cancel", "--format", "markdown" },
        new[] { "heal", "--format", "markdown" },
        new[] { "emergency", "--format", "markdown" },
        new[] { "advise", "--workers", "1" },
        new[] { "report" },
    };

    public async Task InitializeAsync()
    {
        await SetUp.WaitAsync();
        try
        {
            if (_setUpFor != Sandbox.Port)
            {
                await Sandbox.CreateRoleAsync(User, Password, "IN ROLE pg_monitor");
                await Sandbox.ExecuteAsync($"CREATE DATABASE {Database}");
                await Sandbox.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", Database);
                _setUpFor = Sandbox.Port;
            }
        }
        finally
        {
            SetUp.Release();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Every PG* variable and DATABASE_URL points somewhere the run cannot succeed, so only the four
    /// options (and PGPASSWORD, which they combine with) can have got it to the server.
    /// </summary>
    [Theory]
    [MemberData(nameof(ConnectingVerbs))]
    public async Task ConnectingVerb_HostPortUsernameDbname_ReachTheServerOverEveryVariable(string[] verb)
    {
        var unused = SilentListener.UnusedPort().ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = "/nonexistent-socket-directory",
            ["PGPORT"] = unused,
            ["PGUSER"] = "nobody",
            ["PGDATABASE"] = "nowhere",
            ["PGPASSWORD"] = Password,
            ["DATABASE_URL"] = $"postgres://nobody:x@127.0.0.1:{unused}/nowhere",
            ["XDG_STATE_HOME"] = Path.Combine(Path.GetTempPath(), "pgmedic-opts-" + Guid.NewGuid().ToString("N")),
        };
        string[] extra = verb[0] == "report" ? ["--audit-log", EmptyAuditLog()] : [];

        var run = await CliRun.InvokeAsync(environment, [.. verb, "-h", "127.0.0.1", "-p", Port, "-U", User, "-d", Database, .. extra]);

        Assert.True(run.ExitCode is 0 or 1, $"exit {run.ExitCode}: {run.All}");
        Assert.DoesNotContain("cannot connect", run.All, StringComparison.Ordinal);
        // The variables' role and database, as a target or in a server error ("user \"nobody\""): advise's own
        // prose may say "nobody" in its plain sense, so the bare word proves nothing.
        Assert.DoesNotContain("//nobody", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("\"nobody\"", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("nowhere", run.All, StringComparison.Ordinal);
        switch (verb[0])
        {
            case "check":
                Assert.Matches("^POSTGRES_[A-Z_]+ (OK|WARNING) - ", run.Out);
                break;
            case "report":
                Assert.Contains("server now: ", run.Out, StringComparison.Ordinal);
                break;
            default:
                Assert.Contains(Masked, run.Out, StringComparison.Ordinal);
                break;
        }
    }

    [Fact]
    public async Task Options_OverrideTheMatchingPartsOfTarget_AndKeepTheRest()
    {
        var unused = SilentListener.UnusedPort().ToString(CultureInfo.InvariantCulture);
        var target = $"postgres://{User}:{Password}@127.0.0.1:{unused}/nowhere";

        var run = await CliRun.InvokeAsync("probe", target, "-p", Port, "-d", Database);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.StartsWith($"accepting {Masked}", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task NoTarget_OptionsCombineWithPgVariables_DatabaseUrlNotRead()
    {
        // DATABASE_URL names the superuser: whoever connects shows which source was read.
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = "127.0.0.1",
            ["PGUSER"] = User,
            ["PGPASSWORD"] = Password,
            ["DATABASE_URL"] = Sandbox.SuperuserTarget.ToUrl(),
        };

        var withOptions = await CliRun.InvokeAsync(environment, "probe", "-p", Port, "-d", Database);
        var without = await CliRun.InvokeAsync(environment, "probe");

        Assert.True(withOptions.ExitCode == 0, withOptions.All);
        Assert.StartsWith($"accepting {Masked}", withOptions.Out, StringComparison.Ordinal);
        Assert.True(without.ExitCode == 0, without.All);
        Assert.StartsWith($"accepting postgres://postgres:***@127.0.0.1:{Port}/postgres", without.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetPasswordForOneHost_HostOptionNamesAnother_PasswordNotSent()
    {
        // localhost reaches the same sandbox, so only the password rule can make the login fail.
        var run = await CliRun.InvokeAsync("probe", Url, "-h", "localhost");
        var sameHost = await CliRun.InvokeAsync("probe", Url, "-h", "127.0.0.1");

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains("No password has been provided", run.Out, StringComparison.Ordinal);
        Assert.Contains($"postgres://{User}@localhost:{Port}/{Database}", run.Out, StringComparison.Ordinal);
        Assert.Equal(
            "pgmedic: warning: the password in TARGET was given for host '127.0.0.1', not 'localhost' (-h), so it is not sent; the password comes from PGPASSWORD or the password file instead, if either has one",
            run.Error.TrimEnd());
        Assert.Equal(0, sameHost.ExitCode);
        Assert.Empty(sameHost.Error);
    }

    [Fact]
    public async Task TargetPasswordForOneUser_UsernameOptionNamesAnother_PasswordNotSent()
    {
        var run = await CliRun.InvokeAsync("probe", Url, "-U", "postgres");

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains("No password has been provided", run.Out, StringComparison.Ordinal);
        Assert.Contains("given for user 'opts_user', not 'postgres' (-U), so it is not sent", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetPasswordDropped_NewHostsPasswordFromPgpassOrPgpassword()
    {
        using var home = new TemporaryHome($"localhost:{Port}:{Database}:{User}:{Password}");
        var fromFile = await CliRun.InvokeAsync(null, c => c with { HomeDirectory = home.Path }, "probe", $"postgres://{User}:wrong@127.0.0.1:{Port}/{Database}", "-h", "localhost");
        var fromVariable = await CliRun.InvokeAsync(new Dictionary<string, string> { ["PGPASSWORD"] = Password }, "probe", $"postgres://{User}:wrong@127.0.0.1:{Port}/{Database}", "-h", "localhost");

        Assert.True(fromFile.ExitCode == 0, fromFile.All);
        Assert.True(fromVariable.ExitCode == 0, fromVariable.All);
        Assert.StartsWith($"accepting postgres://{User}:***@localhost:{Port}/{Database}", fromVariable.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoHostAnywhere_LocalSocketDirectoryFirst_ThenLocalhost()
    {
        var environment = new Dictionary<string, string> { ["PGPASSWORD"] = Password };
        var empty = Directory.CreateTempSubdirectory("pgmedic-no-socket-");
        try
        {
            var socket = await CliRun.InvokeAsync(environment, c => c with { SocketDirectories = [empty.FullName, Sandbox.Directory] }, "probe", "-p", Port, "-U", User, "-d", Database);
            var noSocket = await CliRun.InvokeAsync(environment, c => c with { SocketDirectories = [empty.FullName] }, "probe", "-p", Port, "-U", User, "-d", Database);

            Assert.True(socket.ExitCode == 0, socket.All);
            Assert.StartsWith($"accepting postgres://{User}:***@{Sandbox.Directory}:{Port}/{Database}", socket.Out, StringComparison.Ordinal);
            Assert.True(noSocket.ExitCode == 0, noSocket.All);
            Assert.StartsWith($"accepting postgres://{User}:***@localhost:{Port}/{Database}", noSocket.Out, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete();
        }
    }

    [Fact]
    public async Task BadPortOption_ExitThreeNamingTheOption()
    {
        var run = await CliRun.InvokeAsync("probe", "-p", "54x2");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("pgmedic: -p/--port '54x2' is not a number; give a port from 1 to 65535 (PostgreSQL's default is 5432)", run.Error.TrimEnd());
    }

    private static string EmptyAuditLog()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pgmedic-opts-audit-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Empty);
        return path;
    }

    /// <summary>A home directory holding one ~/.pgpass line, readable only by its owner as libpq requires.</summary>
    private sealed class TemporaryHome : IDisposable
    {
        public TemporaryHome(string pgpassLine)
        {
            Path = Directory.CreateTempSubdirectory("pgmedic-opts-home-").FullName;
            var file = System.IO.Path.Combine(Path, ".pgpass");
            File.WriteAllText(file, pgpassLine + "\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
