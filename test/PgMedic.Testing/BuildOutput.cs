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
}
