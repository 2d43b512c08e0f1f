using System.Globalization;
using System.Text;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Quotes user input inside an error message. Messages must stay on one line (they end up in
/// Nagios output and logs), and a runaway fragment must not bury what the message says.
/// Callers never pass password text here: that is decided where the message is built.
/// </summary>
internal static class MessageText
{
    private const int MaxLength = 60;

    public static string Quote(string fragment)
    {
        var builder = new StringBuilder(fragment.Length + 2).Append('\'');
        var shown = 0;
        foreach (var c in fragment)
        {
            if (shown == MaxLength)
            {
                builder.Append('…');
                break;
            }

            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
            shown++;
        }

        return builder.Append('\'').ToString();
    }
}
