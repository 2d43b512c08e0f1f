using System.Text;

namespace PgMedic.Testing;

/// <summary>
/// The reliability suite's table (docs/reliability.md): each suite writes its own rows to
/// <c>artifacts/reliability/&lt;section&gt;.md</c> and the whole table is rebuilt into the untracked
/// <c>artifacts/reliability.md</c>; <c>scripts/reliability-doc.sh</c> copies it into the docs. Test
/// projects run in parallel, so each section is its own file and the rebuild holds a lock.
/// </summary>
public static class ReliabilityRecord
{
    private static readonly string Root = Path.Combine(BuildOutput.RepositoryRoot(), "artifacts");

    public static void Write(string section, string markdown)
    {
        ArgumentNullException.ThrowIfNull(section);
        var sections = Path.Combine(Root, "reliability");
        Directory.CreateDirectory(sections);
        File.WriteAllText(Path.Combine(sections, section + ".md"), markdown.TrimEnd() + "\n");
        using var rebuild = Lock(Path.Combine(sections, ".lock"));
        var table = new StringBuilder();
        table.Append("# Reliability: what the suite tried and what it found\n\n")
            .Append("Written by the reliability tests (`test/*/Reliability/`) on every `test.sh` run into the untracked\n")
            .Append("`artifacts/reliability.md`; `scripts/reliability-doc.sh` copies it here. Each section is the last run of its suite.\n");
        foreach (var file in Directory.GetFiles(sections, "*.md").Order(StringComparer.Ordinal))
        {
            table.Append('\n').Append(File.ReadAllText(file));
        }

        File.WriteAllText(Path.Combine(Root, "reliability.md"), table.ToString());
    }

    private static FileStream Lock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(50);
            }
        }
    }
}
