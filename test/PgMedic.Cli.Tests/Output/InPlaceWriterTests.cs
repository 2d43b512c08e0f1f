using PgMedic.Cli.Output;

namespace PgMedic.Cli.Tests.Output;

/// <summary>The escape sequences a live view writes, on a terminal of a given size (the real one is in LogsFollowTerminalTests).</summary>
public sealed class InPlaceWriterTests
{
    private const string Esc = "\u001b[";

    [Fact]
    public void Draw_SecondFrame_GoesBackUpOverTheFirstAndErasesWhatIsLeft()
    {
        var output = new StringWriter();
        var writer = new InPlaceWriter(output);

        writer.Draw(["one", "two", "three"], width: 40, height: 10);
        output.GetStringBuilder().Clear();
        writer.Draw(["uno"], width: 40, height: 10);

        Assert.Equal($"\r{Esc}3Auno{Esc}K\n{Esc}J", output.ToString());
        Assert.Equal(1, writer.Drawn);
    }

    [Fact]
    public void Draw_FrameWiderAndTallerThanTheTerminal_CutToFitSoTheCursorCanComeBack()
    {
        var output = new StringWriter();
        var writer = new InPlaceWriter(output);

        writer.Draw(["header", new string('x', 30), "a", "b", "c"], width: 12, height: 4);

        var rows = output.ToString().Split('\n');
        Assert.Equal(3, writer.Drawn);
        Assert.Equal($"\rheader{Esc}K", rows[0]);
        Assert.Equal($"xxxxxxxxxx…{Esc}K", rows[1]);
        Assert.Equal($"a{Esc}K", rows[2]);
        Assert.Equal($"{Esc}J", rows[3]);
    }

    [Fact]
    public void Draw_LogLineWithColourEscapeAndTab_DrawnWithoutThem()
    {
        var output = new StringWriter();

        new InPlaceWriter(output).Draw(["\u001b[31mFATAL\u001b[0m:\tsorry"], width: 80, height: 5);

        Assert.Equal($"\r [31mFATAL [0m: sorry{Esc}K\n{Esc}J", output.ToString());
    }

    [Fact]
    public void Erase_AfterAFrame_TakesItAwayAndLeavesTheCursorAtItsStart()
    {
        var output = new StringWriter();
        var writer = new InPlaceWriter(output);
        writer.Draw(["one", "two"], width: 40, height: 10);
        output.GetStringBuilder().Clear();

        writer.Erase();
        writer.Erase();

        Assert.Equal($"\r{Esc}2A{Esc}J", output.ToString());
    }
}
