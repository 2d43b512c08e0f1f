namespace PgMedic.Core.Probing;

/// <summary>The one spelling of a probe outcome in every output, text or JSON: <c>no-response</c>, never NORESPONSE or NoResponse.</summary>
public static class ProbeOutcomeName
{
    public static string Of(ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.Accepting => "accepting",
        ProbeOutcome.Rejecting => "rejecting",
        ProbeOutcome.NoResponse => "no-response",
        _ => "no-attempt",
    };
}
