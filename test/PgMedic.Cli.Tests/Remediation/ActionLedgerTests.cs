using System.Reflection;
using PgMedic.Cli.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// The ledger stands between the engine and the writer. The observer's methods have empty defaults, so
/// one the ledger does not pass on is silently lost — as heal's health-check lines once were.
/// </summary>
public sealed class ActionLedgerTests
{
    [Fact]
    public void Ledger_EveryObserverEvent_PassedOnToTheWriter()
    {
        var events = typeof(IRemediationObserver).GetMethods(BindingFlags.Public | BindingFlags.Instance);
        var map = typeof(ActionLedger).GetInterfaceMap(typeof(IRemediationObserver));

        var notPassedOn = events
            .Where(e => map.TargetMethods[Array.IndexOf(map.InterfaceMethods, e)].DeclaringType != typeof(ActionLedger))
            .Select(e => e.Name)
            .ToList();

        Assert.NotEmpty(events);
        Assert.Empty(notPassedOn);
    }
}
