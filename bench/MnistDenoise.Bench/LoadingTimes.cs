using System.Diagnostics;
using System.IO.Compression;
using MnistDenoise.Data;

namespace MnistDenoise.Bench;

/// <summary>How long reading MNIST takes, from the .gz files and from raw IDX files (best of three each).</summary>
internal sealed record LoadingTimes(double GzSeconds, double RawSeconds)
{
    /// <summary>Times <see cref="Mnist.ReadDataSets"/> on the repository's data and on a decompressed copy; null (said why) without the .gz files.</summary>
    public static LoadingTimes? Measure(string mnistFolder)
    {
        var source = mnistFolder;
        var gz = Directory.Exists(source) ? Directory.GetFiles(source, "*.gz") : [];
        if (gz.Length < 4)
        {
            Progress.Skipped($"Loading times skipped: no .gz files in {source}.");
            return null;
        }
        var raw = Directory.CreateTempSubdirectory("mnist-denoise-raw-");
        try
        {
            foreach (var file in gz)
            {
                using var input = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
                using var output = File.Create(Path.Combine(raw.FullName, Path.GetFileNameWithoutExtension(file)));
                input.CopyTo(output);
            }
            return new LoadingTimes(BestOfThree(source), BestOfThree(raw.FullName));
        }
        finally
        {
            raw.Delete(recursive: true);
        }
    }

    private static double BestOfThree(string directory) => Enumerable.Range(0, 3).Select(_ =>
    {
        var clock = Stopwatch.StartNew();
        Mnist.ReadDataSets(directory, reshape: false);
        return clock.Elapsed.TotalSeconds;
    }).Min();
}
