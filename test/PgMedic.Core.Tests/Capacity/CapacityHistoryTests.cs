using PgMedic.Core.Alerts;
using PgMedic.Core.Capacity;

namespace PgMedic.Core.Tests.Capacity;

/// <summary>A week of the monitor's samples: peaks, percentiles per application and hour, and the trend's end.</summary>
public sealed class CapacityHistoryTests
{
    [Fact]
    public void Observe_AWeekGrowingTwoADay_PeaksPercentilesAndTheDaysUntilTheSlotsRunOut()
    {
        var history = CapacityHistory.Observe("shop", Week.Generate(DateTimeOffset.Parse("2026-02-23T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(7 * 24 * 12, history.Samples);
        Assert.Equal(97, history.UsableSlots);

        // The last business hour: 30 + 2 × 6 days of growth + 20 at the peak hour, and batch's 10.
        Assert.Equal(30 + 12 + 20 + 10, history.Peak);
        var api = history.Of("shop-api")!;
        Assert.Equal(62, api.Peak);
        Assert.Equal(31, api.PeakBusy);
        Assert.Equal(72, history.ByHour.Single(h => h.HourUtc == 14).Peak);
        Assert.Equal(22, history.ByHour.Single(h => h.HourUtc == 3).Peak - 10);
        Assert.Equal(10, history.OtherThan("shop-api"));

        // Daily peaks 60, 62 … 72: the line reaches 73 at the end of the week and the 97 usable slots 12 days later.
        var trend = history.Trend!;
        Assert.Equal(2, trend.PerDay, 3);
        Assert.InRange(trend.DaysUntilFull!.Value, 11.9, 12.1);
    }

    /// <summary>Samples every 5 minutes for a week: shop-api at 10 overnight and 30 in business hours, 2 more each day, 20 more at 14:00; batch at 10.</summary>
    internal static class Week
    {
        public static List<UsagePoint> Generate(DateTimeOffset start) =>
            Enumerable.Range(0, 7 * 24 * 12).Select(i =>
            {
                var at = start.AddMinutes(5 * i);
                var day = i / (24 * 12);
                var hour = at.Hour;
                var api = (hour is >= 9 and < 18 ? 30 : 10) + (2 * day) + (hour == 14 ? 20 : 0);
                var busy = api / 2;
                return new UsagePoint(at, api + 10, 97, busy, api - busy + 10, 0, [new AppConnections("shop-api", api, api - busy, 0), new AppConnections("batch", 10, 10, 0)]);
            }).ToList();
    }
}
