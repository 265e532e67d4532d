using System.Globalization;
using System.Text;

namespace MnistDenoise.Evaluation;

/// <summary>
/// The results table as markdown: one row per corruption and method, a PSNR and an SSIM column per dataset, the best
/// method of each corruption in bold, and a row with the autoencoder's margin over the best baseline.
/// </summary>
public static class ResultsTable
{
    /// <summary>The label of the margin row.</summary>
    public const string MarginRow = "autoencoder − best baseline";

    /// <summary>The markdown table of <paramref name="results"/>; corruptions and datasets keep their first-seen order.</summary>
    public static string Markdown(IReadOnlyList<CorruptionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
            throw new ArgumentException("The results table needs at least one result.", nameof(results));
        var datasets = results.Select(r => r.Dataset).Distinct().ToArray();
        var corruptions = results.Select(r => r.Corruption).Distinct().ToArray();
        var inv = CultureInfo.InvariantCulture;

        var md = new StringBuilder();
        md.Append("| corruption | method |");
        foreach (var d in datasets) md.Append(inv, $" {d} PSNR (dB) | {d} SSIM |");
        md.AppendLine().Append("|---|---|");
        foreach (var _ in datasets) md.Append("---:|---:|");
        md.AppendLine();

        foreach (var corruption in corruptions)
        {
            var byDataset = datasets.Select(d => results.FirstOrDefault(r => r.Dataset == d && r.Corruption == corruption)).ToArray();
            var methods = Restoration.AllMethods.Where(m => byDataset.Any(r => r?.Scores.Any(s => s.Method == m) == true)).ToArray();
            foreach (var method in methods)
            {
                md.Append(inv, $"| {(method == methods[0] ? $"`{corruption}`" : "")} | {method} |");
                foreach (var result in byDataset)
                {
                    var score = result?.Scores.SingleOrDefault(s => s.Method == method);
                    if (score is null) { md.Append(" – | – |"); continue; }
                    var bestPsnr = result!.Scores.Max(s => s.MeanPsnr);
                    var bestSsim = result.Scores.Max(s => s.MeanSsim);
                    md.Append(inv, $" {Bold(score.MeanPsnr.ToString("0.00", inv), score.MeanPsnr == bestPsnr)} |");
                    md.Append(inv, $" {Bold(score.MeanSsim.ToString("0.000", inv), score.MeanSsim == bestSsim)} |");
                }
                md.AppendLine();
            }
            md.Append(inv, $"| | *{MarginRow}* |");
            foreach (var result in byDataset)
                md.Append(result is null ? " – | – |" : string.Create(inv, $" *{result.Margin.Psnr:+0.00;−0.00}* | *{result.Margin.Ssim:+0.000;−0.000}* |"));
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Bold(string text, bool bold) => bold ? $"**{text}**" : text;
}
