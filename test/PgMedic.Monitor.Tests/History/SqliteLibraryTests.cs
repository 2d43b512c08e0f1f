using System.Net.Http.Json;
using System.Text.Json;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.History;

/// <summary>
/// Where <c>serve</c>'s SQLite comes from: the bundle's <c>libe_sqlite3.so</c> beside the program when it is
/// there, else the system's <c>libsqlite3.so.0</c> — so a lone native <c>pgmedic</c> still keeps history.
/// Run as processes (the native executable under test.sh); /proc/PID/maps shows which library was loaded.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class SqliteLibraryTests(MonitorSandbox fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-sqlite-test-").FullName;

    [Fact]
    public async Task Serve_BundledLibraryBesideTheProgram_KeepsHistoryWithIt()
    {
        using var serve = PgMedicProcess.Start("serve", "--config", Config());

        var maps = await HistoryKeptAsync(serve);

        Assert.Contains("libe_sqlite3.so", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libsqlite3.so", maps, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithoutTheBundledLibrary_KeepsHistoryWithTheSystemSqlite()
    {
        using var serve = PgMedicProcess.StartProgram(CopyWithoutBundledSqlite(), null, "serve", "--config", Config());

        var maps = await HistoryKeptAsync(serve);

        Assert.Contains("libsqlite3.so.0", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libe_sqlite3.so", maps, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Config()
    {
        var path = Path.Combine(_directory, $"pgmedic-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "pollInterval": "250ms",
              "port": 0,
              "history": { "path": "{{Path.Combine(_directory, $"history-{Guid.NewGuid():N}.db")}}" },
              "targets": [ { "name": "shop", "connection": "{{fixture.Sandbox.SuperuserTarget.ToUrl()}}" } ]
            }
            """);
        return path;
    }

    /// <summary>Waits until the history API returns samples (written to and read back from SQLite), then returns the process's memory map.</summary>
    private static async Task<string> HistoryKeptAsync(PgMedicProcess serve)
    {
        var address = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = address };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var history = await http.GetFromJsonAsync<JsonElement>("/api/targets/shop/history?since=5m");
            if (history.GetProperty("points").GetArrayLength() > 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no history sample within 20 s; serve printed:\n{serve.Output}");
            await Task.Delay(100);
        }

        return await File.ReadAllTextAsync($"/proc/{serve.Pid}/maps");
    }

    /// <summary>A copy of the program under test without the bundle's SQLite: the native executable alone, or the build folder less the .so.</summary>
    private IReadOnlyList<string> CopyWithoutBundledSqlite()
    {
        var copy = Directory.CreateDirectory(Path.Combine(_directory, "program")).FullName;
        if (BuildOutput.CliIsNative)
        {
            var binary = Path.Combine(copy, "pgmedic");
            File.Copy(BuildOutput.CliCommand[0], binary);
            return [binary];
        }

        var source = Path.GetDirectoryName(BuildOutput.Cli)!;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith("libe_sqlite3", StringComparison.Ordinal)))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return ["dotnet", Path.Combine(copy, Path.GetFileName(BuildOutput.Cli))];
    }
}
