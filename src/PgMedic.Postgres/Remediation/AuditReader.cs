using System.Text.Json;
using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

/// <summary>Reads the audit log line by line; a line that is not an audit record is counted, not fatal.</summary>
public static class AuditReader
{
    public static async Task<(List<AuditRecord> Records, int Unreadable)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var records = new List<AuditRecord>();
        var unreadable = 0;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(line, AuditJsonContext.Dialect.AuditRecord) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                unreadable++;
            }
        }

        return (records, unreadable);
    }
}
