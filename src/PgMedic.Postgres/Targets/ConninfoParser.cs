using System.Text;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Parses a libpq conninfo string: <c>host=db port=5432 password='it\'s'</c>. Values may be
/// single-quoted; inside or outside quotes a backslash takes the next character literally, as in
/// libpq. We also read a doubled quote inside a quoted value as one quote (<c>'it''s'</c>):
/// libpq rejects that form, so accepting it changes the meaning of nothing libpq accepts.
/// </summary>
internal static class ConninfoParser
{
    public static TargetFields Parse(string text)
    {
        var fields = new TargetFields();
        ConninfoPair? previous = null;
        foreach (var pair in Tokenize(text))
        {
            if (!LibpqKeywords.IsKnown(pair.Keyword) && FollowsUnquotedPassword(previous))
            {
                throw new TargetException("conninfo has an unknown keyword right after the password; if the password contains spaces, quote it: password='...'");
            }

            fields = LibpqKeywords.Apply(fields, pair.Keyword, pair.Value, "conninfo keyword");
            previous = pair;
        }

        return fields;
    }

    public static IReadOnlyList<ConninfoPair> Tokenize(string text)
    {
        var pairs = new List<ConninfoPair>();
        var i = 0;
        while (true)
        {
            SkipWhitespace(text, ref i);
            if (i == text.Length)
            {
                return pairs;
            }

            var start = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var keyword = text[start..i];
            SkipWhitespace(text, ref i);
            if (i == text.Length || text[i] != '=')
            {
                throw MissingEquals(keyword, pairs);
            }

            if (keyword.Length == 0)
            {
                throw new TargetException("conninfo has '=' with no keyword before it; write keyword=value pairs separated by spaces");
            }

            i++;
            SkipWhitespace(text, ref i);
            var value = i < text.Length && text[i] == '\''
                ? ReadQuoted(text, ref i, keyword)
                : ReadUnquoted(text, ref i);
            pairs.Add(new ConninfoPair(keyword, value.Text, value.Quoted));
        }
    }

    private static (string Text, bool Quoted) ReadQuoted(string text, ref int i, string keyword)
    {
        var value = new StringBuilder();
        i++;
        while (true)
        {
            if (i == text.Length)
            {
                // Only the keyword is named: the value may be the password.
                throw new TargetException($"conninfo value of {MessageText.Quote(keyword)} opens a quote (') but never closes it; close it, and write a quote inside a value as \\'");
            }

            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                value.Append(text[i + 1]);
                i += 2;
            }
            else if (c == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
            {
                value.Append('\'');
                i += 2;
            }
            else if (c == '\'')
            {
                i++;
                return (value.ToString(), true);
            }
            else
            {
                value.Append(c);
                i++;
            }
        }
    }

    private static (string Text, bool Quoted) ReadUnquoted(string text, ref int i)
    {
        var value = new StringBuilder();
        while (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            value.Append(text[i]);
            i++;
        }

        return (value.ToString(), false);
    }

    private static TargetException MissingEquals(string word, List<ConninfoPair> pairs)
    {
        // A stray word right after an unquoted password is almost always the rest of a password
        // with a space in it, so it is not shown.
        if (pairs.Count > 0 && FollowsUnquotedPassword(pairs[^1]))
        {
            return new TargetException("conninfo has a word without '=' after the password; if the password contains spaces, quote it: password='...'");
        }

        return new TargetException($"conninfo has {MessageText.Quote(word)} without '=' after it; write keyword=value pairs separated by spaces, and quote values with spaces: key='a b'");
    }

    private static bool FollowsUnquotedPassword(ConninfoPair? previous) => previous is { Keyword: "password", Quoted: false };

    private static void SkipWhitespace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }
}

internal sealed record ConninfoPair(string Keyword, string Value, bool Quoted);
