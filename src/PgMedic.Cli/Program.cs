using PgMedic.Cli;

// Anything that escapes on another thread would end the process with a .NET trace: one line and exit 3 instead.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"pgmedic: unexpected error: {(e.ExceptionObject is Exception ex ? CliApp.OneLine(ex) : "unknown")}");
    Console.Error.Flush();
    Environment.Exit(3);
};
TaskScheduler.UnobservedTaskException += (_, e) => e.SetObserved();

return await CliApp.RunAsync(args, CliContext.FromProcess());
