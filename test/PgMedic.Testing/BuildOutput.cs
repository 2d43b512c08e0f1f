namespace PgMedic.Testing;

/// <summary>Where the repository and its built programs are, from a test assembly's own bin/&lt;Configuration&gt;/&lt;tfm&gt; folder.</summary>
public static class BuildOutput
{
    /// <summary>The repository root (where PgMedic.slnx is).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PgMedic.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("PgMedic.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A project's built assembly, in the same configuration and target framework as the running tests.</summary>
    public static string Assembly(string projectFolder, string assemblyFile)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory);
        return Path.Combine(RepositoryRoot(), projectFolder, "bin", tfm.Parent!.Name, tfm.Name, assemblyFile);
    }

    /// <summary>The <c>pgmedic</c> CLI, with its own deps and runtimeconfig.</summary>
    public static string Cli => Assembly(Path.Combine("src", "PgMedic.Cli"), "pgmedic.dll");

    /// <summary>The variable naming the native <c>pgmedic</c> executable that process-level tests run (test.sh sets it).</summary>
    public const string NativeBinaryVariable = "PGMEDIC_BINARY";

    private static readonly Lazy<string[]> Command = new(ResolveCommand);

    /// <summary>
    /// How a process-level test starts <c>pgmedic</c>: the native executable named by <c>PGMEDIC_BINARY</c>
    /// (test.sh publishes it once per run), else <c>dotnet pgmedic.dll</c> for a plain <c>dotnet test</c>.
    /// Under <c>CI=true</c> the native executable is required: its absence fails the test, never a silent fallback.
    /// </summary>
    public static IReadOnlyList<string> CliCommand => Command.Value;

    /// <summary>True when the process-level tests run the native executable.</summary>
    public static bool CliIsNative => Command.Value.Length == 1;

    private static string[] ResolveCommand()
    {
        var binary = Environment.GetEnvironmentVariable(NativeBinaryVariable);
        if (!string.IsNullOrEmpty(binary))
        {
            var full = Path.GetFullPath(binary, RepositoryRoot());
            return File.Exists(full)
                ? [full]
                : throw new InvalidOperationException($"{NativeBinaryVariable}={binary}, but {full} does not exist: publish it with dotnet publish src/PgMedic.Cli -c Release -r linux-x64 -o artifacts/native");
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI runs the process-level tests against the native pgmedic, but {NativeBinaryVariable} is not set (test.sh publishes the binary and sets it)");
        }

        return ["dotnet", Cli];
    }
}
