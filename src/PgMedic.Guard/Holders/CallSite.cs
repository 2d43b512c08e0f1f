using System.Globalization;

namespace PgMedic.Guard.Holders;

/// <summary>Where a connection was checked out: filled in by the compiler through caller-info attributes.</summary>
/// <param name="File">The source file of the call, as the compiler saw it.</param>
/// <param name="Line">The line of the call in <paramref name="File"/>.</param>
/// <param name="Member">The method or property that made the call.</param>
public sealed record CallSite(string File, int Line, string Member)
{
    /// <summary><c>Member at File:Line</c>, as logs and error messages show it.</summary>
    /// <returns>The call site in one line.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Member} at {File}:{Line}");
}
