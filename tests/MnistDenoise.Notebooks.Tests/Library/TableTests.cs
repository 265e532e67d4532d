namespace MnistDenoise.Notebooks.Tests.Library;

public sealed class TableTests
{
    [Fact]
    public void Text_aligns_columns_and_right_aligns_the_numbers_asked_for()
    {
        var table = new Table("layer", "parameters");
        table.RightAligned.Add(1);
        table.Add("conv1", "1,664").Add("output", "1");
        Assert.Equal("layer   parameters\n------  ----------\nconv1        1,664\noutput           1", table.ToString().Replace("\r", ""));
    }

    [Fact]
    public void Html_escapes_the_cells()
    {
        var html = new Table("a<b").Add("x & y").ToHtml();
        Assert.Contains("<th>a&lt;b</th>", html);
        Assert.Contains("<td>x &amp; y</td>", html);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Table("a", "b").Add("only one"));
        Assert.Contains("2 columns", e.Message);
    }
}
