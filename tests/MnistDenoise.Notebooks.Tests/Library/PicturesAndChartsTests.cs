using Microsoft.DotNet.Interactive.Formatting;

namespace MnistDenoise.Notebooks.Tests.Library;

public sealed class PicturesAndChartsTests
{
    [Fact]
    public void LossCurve_draws_a_png_of_the_requested_size()
    {
        var png = new PngImage(LossCurve.ToPng([0.69, 0.4, 0.2, 0.15], width: 320, height: 120), "loss");
        Assert.Equal((320, 120), (png.Width, png.Height));
        Assert.Equal("[PNG 320×120] loss", png.ToString());
        Assert.Throws<ArgumentException>(() => LossCurve.ToPng([0.5]));
    }

    [Fact]
    public void TapMergePicture_colours_each_5x5_tap_by_the_3x3_tap_it_is_summed_into()
    {
        // Even output rows: 5×5 rows 0,1 → source row 0 (offset −1), 2,3 → 1, 4 → 2; odd rows: 0 → 0, 1,2 → 1, 3,4 → 2.
        Assert.Equal((0, 2), TapMergePicture.MergedTap(0, 1, 1, 4));
        Assert.Equal((1, 0), TapMergePicture.MergedTap(1, 0, 2, 0));
        var png = TapMergePicture.ToPng(cell: 10);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png.Bytes);
        // Phase (1, 1)'s tap (row 4, column 3) sits in the fourth panel and merges into 3×3 tap (2, 2).
        var (left, top) = (2 * 10 + 3 * (50 + 20) + 3 * 10 + 5, 10 + 4 * 10 + 5);
        Assert.Equal(TapMergePicture.Colours[2 * 3 + 2], bitmap.GetPixel(left, top));
        Assert.Equal(9, TapMergePicture.Colours.Distinct().Count());
    }

    [Fact]
    public void HistogramCounts_puts_the_maximum_in_the_last_bin_and_skips_values_out_of_range()
    {
        Assert.Equal([2L, 0, 1, 2], Charts.HistogramCounts([0f, 0.1f, 0.5f, 0.9f, 1f, 1.5f, -0.1f], bins: 4, min: 0, max: 1));
    }

    [Fact]
    public void Setup_makes_pictures_real_png_outputs_and_tables_html_and_can_run_twice()
    {
        NotebookSetup.Apply();
        NotebookSetup.Apply();
        Assert.True(NotebookSetup.IsApplied);

        var png = new PngImage(LossCurve.ToPng([1.0, 0.5]), "curve");
        var values = FormattedValue.CreateManyFromObject(png);
        Assert.Equal(Convert.ToBase64String(png.Bytes), values.Single(v => v.MimeType == "image/png").Value);
        Assert.Equal(png.ToString(), values.Single(v => v.MimeType == "text/plain").Value);

        var table = FormattedValue.CreateManyFromObject(new Table("a").Add(1));
        Assert.StartsWith("<table>", table.Single(v => v.MimeType == "text/html").Value);

        var chart = FormattedValue.CreateManyFromObject(Charts.Bars(["0", "1"], [3.0, 4.0], "title", "x", "y"));
        Assert.Contains("Plotly chart will be drawn", chart.Single(v => v.MimeType == "text/html").Value);
    }
}
