namespace PgMedic.Monitor.Tests;

/// <summary>
/// The real tools the tests drive: Debian's chromium and promtool. Missing them is a failure with the
/// install line (test.sh installs both), never a silent skip.
/// </summary>
internal static class ToolPaths
{
    public static string Require(string path, string package)
    {
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing: install it with 'apt-get install -y --no-install-recommends {package}' (test.sh does)");
        }

        return path;
    }
}
