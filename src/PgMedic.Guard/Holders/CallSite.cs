using System.Globalization;

namespace PgMedic.Guard.Holders;

/// <summary>Where a connection was checked out: filled in by the compiler through caller-info attributes.</summary>
public sealed record CallSite(string File, int Line, string Member)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Member} at {File}:{Line}");
}
