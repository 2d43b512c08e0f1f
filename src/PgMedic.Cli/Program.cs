using PgMedic.Cli;

return await CliApp.RunAsync(args, CliContext.FromProcess());
