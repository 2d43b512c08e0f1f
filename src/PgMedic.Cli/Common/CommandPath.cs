using System.CommandLine;
using System.CommandLine.Parsing;

namespace PgMedic.Cli.Common;

/// <summary>The command a parse ended in, as the user types it: <c>pgmedic check connections</c>.</summary>
internal static class CommandPath
{
    public static string Of(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Insert(0, command.Command is RootCommand ? "pgmedic" : command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
