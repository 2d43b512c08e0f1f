using PgMedic.Core.Slo;

namespace PgMedic.Core.Tests.Slo;

/// <summary>The ledger's sums over windows: exact per poll for six hours, per minute to three days, per hour beyond.</summary>
public sealed class SloLedgerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sum_PollsOverFourDays_EveryWindowCountsExactlyTheEntriesInsideIt()
    {
        var ledger = new SloLedger(TimeSpan.FromDays(30));
        var entries = new List<SloEntry>();
        for (var i = 1; i <= 4 * 17280; i++)
        {
            var entry = new SloEntry(Start.AddSeconds(5 * i), new SloCounts(i % 7 == 0 ? 0 : 1, i % 7 == 0 ? 1 : 0, 5));
            entries.Add(entry);
            ledger.Add(entry);
        }

        var now = entries[^1].End;
        foreach (var window in new[] { TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromDays(3) })
        {
            var expected = entries.Where(e => e.End > now - window).Aggregate(default(SloCounts), (a, e) => a + e.Counts);
            Assert.Equal((expected.Good, expected.Bad), (ledger.Sum(now, window).Good, ledger.Sum(now, window).Bad));
        }

        // Beyond three days, hours: the oldest hour of a 30-day sum counts whole, and here it is all of them.
        Assert.Equal(entries.Count, ledger.Sum(now, TimeSpan.FromDays(30)).Attempts);
        Assert.True(ledger.Count < 4500 + 4400 + 100, $"{ledger.Count} entries held for four days of 5 s polls");
    }

    [Fact]
    public void Sum_CountsPastWhatAnEntryHolds_KeptWholeThroughEveryTier()
    {
        // An entry keeps its counts in 32 unsigned bits; a busier poll (or minute, or hour) spills into more entries.
        var ledger = new SloLedger(TimeSpan.FromDays(30));
        var huge = new SloCounts(10_000_000_000, 4_294_967_296, 5);
        for (var i = 1; i <= 3; i++)
        {
            ledger.Add(new SloEntry(Start.AddSeconds(5 * i), huge));
        }

        var now = Start.AddSeconds(15);
        Assert.Equal(new SloCounts(30_000_000_000, 12_884_901_888, 15), ledger.Sum(now, TimeSpan.FromMinutes(5)));

        // Four days on, those polls sit in an hour bucket; the sum over the window is still every attempt.
        var later = Start.AddDays(4);
        ledger.Add(new SloEntry(later, new SloCounts(1, 0, 5)));
        Assert.Equal(new SloCounts(30_000_000_001, 12_884_901_888, 20), ledger.Sum(later, TimeSpan.FromDays(30)));
    }

    [Fact]
    public void Trim_PastTheObjectivesWindow_DropsWhatLeftIt()
    {
        var ledger = new SloLedger(TimeSpan.FromDays(7));
        ledger.Add(new SloEntry(Start, new SloCounts(10, 1, 60)));
        ledger.Add(new SloEntry(Start.AddDays(8), new SloCounts(5, 0, 60)));

        Assert.Equal(new SloCounts(5, 0, 60), ledger.Sum(Start.AddDays(8), TimeSpan.FromDays(7)));
        Assert.Equal(Start.AddMinutes(-1), ledger.ObservedSince);
    }
}
