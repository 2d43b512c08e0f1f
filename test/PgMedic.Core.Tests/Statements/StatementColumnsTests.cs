using PgMedic.Core.Statements;

namespace PgMedic.Core.Tests.Statements;

public sealed class StatementColumnsTests
{
    [Fact]
    public void ForExtensionVersion_1_7_UsesTotalTimeAndMeanTime()
    {
        var columns = StatementColumns.ForExtensionVersion("1.7");

        Assert.Equal(("total_time", "mean_time"), (columns.TotalTime, columns.MeanTime));
    }

    [Fact]
    public void ForExtensionVersion_1_8_UsesExecTimeColumns()
    {
        var columns = StatementColumns.ForExtensionVersion("1.8");

        Assert.Equal(("total_exec_time", "mean_exec_time"), (columns.TotalTime, columns.MeanTime));
    }

    [Fact]
    public void ForExtensionVersion_1_10_ComparedAsVersionNotDecimal_UsesExecTimeColumns()
    {
        // As a decimal, 1.10 < 1.8 and a naive comparison would pick the removed total_time.
        var columns = StatementColumns.ForExtensionVersion("1.10");

        Assert.Equal(("total_exec_time", "mean_exec_time"), (columns.TotalTime, columns.MeanTime));
    }

    [Theory]
    [InlineData("1.4", "mean_time")]
    [InlineData("1.6", "mean_time")]
    [InlineData("1.9", "mean_exec_time")]
    [InlineData("1.11", "mean_exec_time")]
    [InlineData(" 1.7 ", "mean_time")]
    [InlineData("2", "mean_exec_time")]
    [InlineData("not-a-version", "mean_exec_time")]
    public void ForExtensionVersion_OtherVersions_MeanColumnByVersion(string version, string expectedMean) =>
        Assert.Equal(expectedMean, StatementColumns.ForExtensionVersion(version).MeanTime);

    [Theory]
    [InlineData(StatementOrder.Mean, "1.7", "mean_time")]
    [InlineData(StatementOrder.Total, "1.7", "total_time")]
    [InlineData(StatementOrder.Mean, "1.10", "mean_exec_time")]
    [InlineData(StatementOrder.Total, "1.10", "total_exec_time")]
    [InlineData(StatementOrder.Calls, "1.10", "calls")]
    public void OrderColumn_ByOrderAndVersion_SortsOnTheRightColumn(StatementOrder order, string version, string expected) =>
        Assert.Equal(expected, StatementColumns.ForExtensionVersion(version).OrderColumn(order));

    [Fact]
    public void Steps_NotPreloadedAndNotCreated_PreloadWithRestartThenCreateExtension()
    {
        var steps = SlowQueryReport.Steps("auto_explain", preloaded: false, extensionCreated: false, "shop");

        Assert.Equal(2, steps.Count);
        Assert.StartsWith("1. ", steps[0], StringComparison.Ordinal);
        Assert.Contains("ALTER SYSTEM SET shared_preload_libraries = 'auto_explain,pg_stat_statements'", steps[0], StringComparison.Ordinal);
        Assert.Contains("restart PostgreSQL", steps[0], StringComparison.Ordinal);
        Assert.Equal("2. in database \"shop\", as a superuser or the database owner: CREATE EXTENSION pg_stat_statements;", steps[1]);
    }

    [Fact]
    public void Steps_PreloadedButNotCreated_FirstStepMarkedDone()
    {
        var steps = SlowQueryReport.Steps("pg_stat_statements", preloaded: true, extensionCreated: false, "shop");

        Assert.StartsWith("1. done", steps[0], StringComparison.Ordinal);
        Assert.Contains("CREATE EXTENSION pg_stat_statements", steps[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_PreloadUnknown_AsksToCheckAndKeepOtherLibraries()
    {
        var steps = SlowQueryReport.Steps(null, preloaded: null, extensionCreated: true, "shop");

        Assert.Contains("SHOW shared_preload_libraries", steps[0], StringComparison.Ordinal);
        Assert.Contains("keep any libraries already listed", steps[0], StringComparison.Ordinal);
        Assert.StartsWith("2. done", steps[1], StringComparison.Ordinal);
    }
}
