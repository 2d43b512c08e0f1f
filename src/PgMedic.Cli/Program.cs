using PgMedic.Cli;

// The monitor waits on sockets nearly all the time: .NET's thread-pool workers, out of work, spin up to 70 times
// before they sleep and yield the processor on 30 of those, which at 200 targets was 40 % of serve's CPU (perf, on
// two cores, where a yield switches to a busy PostgreSQL backend). Ten spins keep the short busy-wait and drop the
// yields. Set before anything queues work, when the thread pool reads it; every other verb keeps the default.
// For the same reason a socket's completion runs on the thread that saw it (epoll's) instead of being handed to a
// worker woken for it: at 200 targets that hand-off was the largest share left (7.9 and 8.7 % of a core against 9.7
// and 10.9 %). The price: a synchronous socket read made on that thread waits for the thread itself, so serve's
// paths read sockets only asynchronously (the PostgreSQL history's partitions too). Read when the first socket is made.
if (args is ["serve", ..])
{
    AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 10);
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

// Anything that escapes on another thread would end the process with a .NET trace: one line and exit 3 instead.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"pgmedic: unexpected error: {(e.ExceptionObject is Exception ex ? CliApp.OneLine(ex) : "unknown")}");
    Console.Error.Flush();
    Environment.Exit(3);
};
TaskScheduler.UnobservedTaskException += (_, e) => e.SetObserved();

return await CliApp.RunAsync(args, CliContext.FromProcess());
