namespace PgMedic.Cli.Tests;

/// <summary>What one in-process <c>pgmedic</c> invocation printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    /// <summary>The output's lines, without line ends.</summary>
    public IReadOnlyList<string> Lines => Out.Split('\n').Select(l => l.TrimEnd('\r')).ToList();

    /// <summary>Runs pgmedic in-process with only the given environment variables (none of the machine's), its output piped.</summary>
    public static Task<CliRun> InvokeAsync(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        InvokeAsync(environment, context => context, args);

    public static Task<CliRun> InvokeAsync(params string[] args) => InvokeAsync(null, args);

    /// <summary>Runs pgmedic in-process laid out for a terminal this many columns wide (without colour, so the text is what is measured).</summary>
    public static Task<CliRun> InvokeAtWidthAsync(int width, params string[] args) =>
        InvokeAsync(null, context => context with { Width = width }, args);

    /// <param name="configure">Changes the context before the run: another home directory (for ~/.pgpass), other socket directories, a terminal width.</param>
    public static async Task<CliRun> InvokeAsync(IReadOnlyDictionary<string, string>? environment, Func<CliContext, CliContext> configure, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var output = new StringWriter();
        var error = new StringWriter();
        var env = environment ?? new Dictionary<string, string>();
        var home = Path.Combine(Path.GetTempPath(), "pgmedic-cli-test-home-does-not-exist");
        var context = configure(new CliContext(output, error, name => env.TryGetValue(name, out var value) ? value : null, home, IsTerminal: false, TimeProvider.System) { SocketDirectories = [] });
        var code = await CliApp.RunAsync(args, context);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
