namespace PgMedic.Cli.Tests;

/// <summary>
/// Stand-ins for the platform CLIs (the external programs a preset or an emitted script runs), put first on
/// PATH. Each appends a line "$ tool", then its arguments one per line, so argument boundaries show: a
/// quoting mistake that joins or splits words changes the lines.
/// </summary>
internal sealed class PlatformStandIns
{
    private static readonly string[] Tools = ["railway", "heroku", "render", "fly", "kubectl", "systemctl"];

    /// <param name="failOn">The stand-ins exit 1 when their arguments, joined by spaces, contain this.</param>
    public PlatformStandIns(string work, string? failOn = null)
    {
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(work, "bin")).FullName;
        Recorded = Path.Combine(work, "argv.log");
        foreach (var tool in Tools)
        {
            var path = Path.Combine(Directory, tool);
            var fail = failOn is null ? string.Empty : $"case \"$*\" in *\"{failOn}\"*) echo 'deployment failed' >&2; exit 1;; esac\n";
            File.WriteAllText(path, $"#!/bin/sh\n{{ printf '$ %s\\n' '{tool}'; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }} >> '{Recorded}'\n{fail}exit 0\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    public string Directory { get; }

    /// <summary>The log: "$ tool", then one argument a line, for every call in order.</summary>
    public string Recorded { get; }

    /// <summary>PATH with the stand-ins first.</summary>
    public Dictionary<string, string> Environment => new() { ["PATH"] = $"{Directory}:{System.Environment.GetEnvironmentVariable("PATH")}" };

    public string[] Calls() => File.Exists(Recorded) ? File.ReadAllLines(Recorded) : [];

    /// <summary>The log lines of these calls, each given as its argv (the tool first).</summary>
    public static string[] Expected(params string[][] calls) => [.. calls.SelectMany(argv => argv.Take(1).Select(tool => "$ " + tool).Concat(argv.Skip(1)))];
}
