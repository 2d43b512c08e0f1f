using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Capacity;

/// <summary>
/// <c>advise --emit PLATFORM</c> against a real sandbox, each output read by what reads it on that platform:
/// the shell (with stand-ins for the platform CLIs recording every argument), YAML and TOML parsers, and
/// systemd's own unit loader.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AdvisePlatformTests(SandboxFixture fixture) : IDisposable
{
    /// <summary>What the sandbox's advice computes for 4 workers × (20 + 10) on 4 cores, as every format must carry it.</summary>
    private static readonly string[] Advised =
    [
        "DATABASE_POOL_SIZE=2", "DATABASE_MAX_OVERFLOW=1", "DATABASE_POOL_TIMEOUT=10", "DATABASE_POOL_RECYCLE=300",
        "DATABASE_POOL_PRE_PING=true", "DATABASE_CONNECT_TIMEOUT=10", "DATABASE_COMMAND_TIMEOUT=30",
    ];

    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-advise-platform-").FullName;

    private PostgresSandbox Sandbox => fixture.Sandbox;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Advise_EmitRailway_ShellRunsOneSetWithoutDeployThenOneRedeploy()
    {
        var emitted = await EmitAsync("railway", "--service", "api");
        var tools = new PlatformStandIns(_work);

        var (exit, output) = await ExternalProgram.RunAsync("/bin/sh", ["-e", Save(emitted.Out, "railway.sh")], tools.Environment);

        Assert.True(exit == 0, output + emitted.Out);
        Assert.Equal(
            PlatformStandIns.Expected(
                ["railway", "variables", .. Advised.SelectMany(v => new[] { "--set", v }), "--service", "api", "--skip-deploys"],
                ["railway", "redeploy", "--service", "api", "--yes"]),
            tools.Calls());
    }

    [Fact]
    public async Task Advise_EmitRailway_SetFails_NoRedeploy()
    {
        var emitted = await EmitAsync("railway", "--service", "api");
        var tools = new PlatformStandIns(_work, failOn: "--skip-deploys");

        var (exit, _) = await ExternalProgram.RunAsync("/bin/sh", ["-e", Save(emitted.Out, "railway.sh")], tools.Environment);

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("redeploy", tools.Calls());
    }

    [Fact]
    public async Task Advise_EmitHeroku_ShellRunsOneConfigSetWithEveryVariable()
    {
        var emitted = await EmitAsync("heroku", "--service", "shop api");
        var tools = new PlatformStandIns(_work);

        var (exit, output) = await ExternalProgram.RunAsync("/bin/sh", ["-e", Save(emitted.Out, "heroku.sh")], tools.Environment);

        Assert.True(exit == 0, output + emitted.Out);
        Assert.Equal(PlatformStandIns.Expected(["heroku", "config:set", .. Advised, "--app", "shop api"]), tools.Calls());
    }

    [Fact]
    public async Task Advise_EmitRender_BlueprintEnvGroupReadByYaml()
    {
        var emitted = await EmitAsync("render", "--service", "api");

        var (exit, output) = await PythonAsync(
            "import sys, yaml\nd = yaml.safe_load(open(sys.argv[1]))\ng = d['envVarGroups'][0]\nprint(g['name'])\nfor v in g['envVars']:\n    assert isinstance(v['value'], str), v\n    print(v['key'] + '=' + v['value'])\n",
            Save(emitted.Out, "render.yaml"));

        Assert.True(exit == 0, output + emitted.Out);
        Assert.Equal(["api-database-pool", .. Advised], Lines(output));
        Assert.Contains("- fromGroup: api-database-pool", emitted.Out, StringComparison.Ordinal);
        Assert.Contains("The Render CLI has no command that sets an existing service's environment variables", emitted.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitFly_FlyTomlEnvTableReadByToml()
    {
        var emitted = await EmitAsync("fly");

        var (exit, output) = await PythonAsync(
            "import sys, tomllib\nd = tomllib.load(open(sys.argv[1], 'rb'))\nfor k, v in d['env'].items():\n    assert isinstance(v, str), (k, v)\n    print(k + '=' + v)\n",
            Save(emitted.Out, "fly.toml"));

        Assert.True(exit == 0, output + emitted.Out);
        Assert.Equal(Advised, Lines(output));
        Assert.Contains("[env], not fly secrets", emitted.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitKubernetes_ConfigMapReadByYamlWithStringValues()
    {
        var emitted = await EmitAsync("kubernetes", "--service", "api");

        var (exit, output) = await PythonAsync(
            "import sys, yaml\nd = yaml.safe_load(open(sys.argv[1]))\nprint(d['apiVersion'], d['kind'], d['metadata']['name'])\nfor k, v in d['data'].items():\n    assert isinstance(v, str), (k, v)\n    print(k + '=' + v)\n",
            Save(emitted.Out, "configmap.yaml"));

        Assert.True(exit == 0, output + emitted.Out);
        Assert.Equal(["v1 ConfigMap api-database-pool", .. Advised], Lines(output));
        Assert.Contains("kubectl rollout restart deployment/api", emitted.Out, StringComparison.Ordinal);
        Assert.Contains("#         name: api-database-pool", emitted.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitSystemd_DropInLoadedBySystemdAnalyze()
    {
        var emitted = await EmitAsync("systemd", "--service", "api");
        var units = Directory.CreateDirectory(Path.Combine(_work, "units")).FullName;
        await File.WriteAllTextAsync(Path.Combine(units, "api.service"), "[Unit]\nDescription=api\n[Service]\nExecStart=/bin/true\n");
        Directory.CreateDirectory(Path.Combine(units, "api.service.d"));
        await File.WriteAllTextAsync(Path.Combine(units, "api.service.d", "database-pool.conf"), emitted.Out);

        var (_, output) = await ExternalProgram.RunAsync("systemd-analyze", ["verify", "--man=no", Path.Combine(units, "api.service")], new Dictionary<string, string> { ["SYSTEMD_LOG_LEVEL"] = "debug" });

        Assert.Contains("/etc/systemd/system/api.service.d/database-pool.conf", emitted.Out, StringComparison.Ordinal);
        Assert.Contains("DropIn Path: " + Path.Combine(units, "api.service.d", "database-pool.conf"), output, StringComparison.Ordinal);
        Assert.All(Advised, v => Assert.Contains("Environment: " + v, output, StringComparison.Ordinal));
        Assert.DoesNotContain("database-pool.conf:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("railway")]
    [InlineData("heroku")]
    [InlineData("kubernetes")]
    [InlineData("systemd")]
    public async Task Advise_EmitPlatformWithoutService_ExitThreeNamesTheOption(string platform)
    {
        var run = await CliRun.InvokeAsync(["advise", Sandbox.SuperuserTarget.ToUrl(), "--workers", "4", "--emit", platform]);

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"--emit {platform} needs --service NAME", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Advise_ServiceWithoutPlatformEmit_ExitThree()
    {
        var run = await CliRun.InvokeAsync(["advise", Sandbox.SuperuserTarget.ToUrl(), "--workers", "4", "--emit", "env", "--service", "api"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--service names the platform's service for --emit railway|heroku|render|fly|kubernetes|systemd", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitKubernetesBadName_ExitThreeSaysWhatIsAllowed()
    {
        var run = await CliRun.InvokeAsync(["advise", Sandbox.SuperuserTarget.ToUrl(), "--workers", "4", "--emit", "kubernetes", "--service", "Shop_API"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--service 'Shop_API' is not a Kubernetes deployment name", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Advise_EmitUnknownName_ExitThreeListsFormatsAndPlatforms()
    {
        var run = await CliRun.InvokeAsync(["advise", Sandbox.SuperuserTarget.ToUrl(), "--workers", "4", "--emit", "vercel"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--emit 'vercel' is not one of env, npgsql, sqlalchemy, hikari, pgbouncer, railway, heroku, render, fly, kubernetes, systemd", run.Error, StringComparison.Ordinal);
    }

    private async Task<CliRun> EmitAsync(string platform, params string[] more)
    {
        var run = await CliRun.InvokeAsync(["advise", Sandbox.SuperuserTarget.ToUrl(), "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--emit", platform, .. more]);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.StartsWith("# pgmedic advise: 4 worker(s) × (pool 2 + overflow 1)", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Sandbox.SuperuserPassword, run.All, StringComparison.Ordinal);
        return run;
    }

    private string Save(string text, string name)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static Task<(int Exit, string Output)> PythonAsync(string code, string file) =>
        ExternalProgram.RunAsync("/usr/bin/python3", ["-c", code, file], new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });
}
