namespace PgMedic.Cli.Common;

/// <summary>A file a command writes its output to (<c>--output</c>): checked before any work, written with one-line errors.</summary>
internal static class OutputFile
{
    /// <exception cref="UsageException">The path cannot be written: what is wrong and what to do.</exception>
    public static void Check(string option, string path)
    {
        var full = Full(option, path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} '{path}' is a directory: give a file name, e.g. {Path.Combine(path, "report.md")}");
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new UsageException($"{option} '{path}': the directory '{directory}' does not exist: create it or write elsewhere");
        }
    }

    /// <exception cref="UsageException">The file could not be written, and why.</exception>
    public static async Task WriteAsync(string option, string path, string text, CancellationToken cancellationToken)
    {
        Check(option, path);
        try
        {
            await File.WriteAllTextAsync(path, text, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{option} '{path}' could not be written ({ex.Message.ReplaceLineEndings(" ")}): check the path and its permissions");
        }
    }

    private static string Full(string option, string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option} '{path}' is not a usable path ({ex.Message.ReplaceLineEndings(" ")})");
        }
    }
}
