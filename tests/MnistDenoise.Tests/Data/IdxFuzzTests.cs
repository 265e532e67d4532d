using System.Buffers.Binary;
using MnistDenoise.Data;
using Xunit.Abstractions;

namespace MnistDenoise.Tests.Data;

/// <summary>
/// The IDX/gzip reader over thousands of damaged files built from the real MNIST headers: every input either loads
/// correctly or is refused with <see cref="InvalidDataFileException"/> naming the file and the problem.
/// </summary>
public sealed class IdxFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20261201;
    private const int MutationsPerBase = 2600; // 4 bases → 10,400 inputs
    private const int Items = 24;

    private readonly TestPaths.TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed record Base(string Name, bool Images, byte[] Raw, bool Gzip)
    {
        public byte[] Bytes { get; } = Gzip ? IdxFiles.Gzip(Raw) : Raw;
    }

    /// <summary>The first <see cref="Items"/> test images and labels, with the real files' headers (count patched).</summary>
    private static IEnumerable<Base> Bases()
    {
        byte[] images = IdxFiles.Gunzip(File.ReadAllBytes(RepositoryData.MnistFile("t10k-images-idx3-ubyte.gz")))[..(16 + Items * 784)];
        byte[] labels = IdxFiles.Gunzip(File.ReadAllBytes(RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz")))[..(8 + Items)];
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), Items);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), Items);
        yield return new("images", true, images, false);
        yield return new("images.gz", true, images, true);
        yield return new("labels", false, labels, false);
        yield return new("labels.gz", false, labels, true);
    }

    private static readonly int[] Interesting =
        [0, 1, -1, 2, 27, 28, 29, Items - 1, Items + 1, 255, 256, 65_535, 1 << 24, int.MaxValue, int.MinValue, 0x7FFFFFC7, 100_000_000];

    /// <summary>One seeded mutation: of the raw content (then gzipped again when the base is gzip), or of the stored bytes.</summary>
    private static (string Kind, byte[] Bytes) Mutate(Base b, Random random)
    {
        int choice = random.Next(9);
        bool onRaw = !b.Gzip || random.Next(2) == 0;
        byte[] bytes = (byte[])(onRaw ? b.Raw : b.Bytes).Clone();
        string where = onRaw ? "raw" : "compressed";
        string kind;
        switch (choice)
        {
            case 0:
                kind = "truncate";
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case 1:
                kind = "flip bits";
                for (int i = random.Next(1, 9); i > 0; i--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 2:
                kind = "random bytes";
                for (int i = random.Next(1, 5); i > 0; i--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                break;
            case 3 or 4:
                kind = "header field";
                onRaw = true;
                where = "raw";
                bytes = (byte[])b.Raw.Clone();
                int fields = b.Images ? 4 : 2;
                int field = random.Next(fields);
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 * field), Interesting[random.Next(Interesting.Length)]);
                break;
            case 5:
                kind = "header byte";
                bytes[random.Next(Math.Min(bytes.Length, b.Images ? 16 : 8))] = (byte)random.Next(256);
                break;
            case 6:
                kind = "append";
                bytes = [.. bytes, .. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))];
                break;
            case 7:
                kind = "delete";
                int at = random.Next(bytes.Length), count = Math.Min(bytes.Length - at, random.Next(1, 32));
                bytes = [.. bytes[..at], .. bytes[(at + count)..]];
                break;
            default:
                kind = "truncate + flip";
                bytes = bytes[..random.Next(1, bytes.Length)];
                bytes[random.Next(bytes.Length)] ^= 0xFF;
                break;
        }

        if (b.Gzip && onRaw)
        {
            bytes = IdxFiles.Gzip(bytes);
        }

        return ($"{kind} ({where})", bytes);
    }

    [Fact]
    public void Ten_thousand_damaged_files_either_load_correctly_or_are_refused_with_the_files_name_and_the_problem()
    {
        var random = new Random(Seed);
        var outcomes = new Dictionary<string, int>();
        var failures = new List<string>();
        int inputs = 0;
        foreach (Base b in Bases())
        {
            string sha256 = IdxFiles.Sha256(b.Raw);
            for (int i = 0; i < MutationsPerBase; i++)
            {
                (string kind, byte[] bytes) = Mutate(b, random);
                string path = _temp.File($"{b.Name}-{i}");
                File.WriteAllBytes(path, bytes);
                inputs++;
                try
                {
                    // With the published checksum, a load must give back exactly the original.
                    if (b.Images)
                    {
                        IdxImages loaded = IdxReader.ReadImages(path, sha256);
                        if ((loaded.Count, loaded.Rows, loaded.Columns) != (Items, 28, 28) || !loaded.Pixels.AsSpan().SequenceEqual(b.Raw.AsSpan(16)))
                            failures.Add($"{path} ({kind}): loaded different images despite the checksum");
                    }
                    else if (!IdxReader.ReadLabels(path, sha256).AsSpan().SequenceEqual(b.Raw.AsSpan(8)))
                    {
                        failures.Add($"{path} ({kind}): loaded different labels despite the checksum");
                    }

                    Count(outcomes, "loaded (identical to the original)");
                }
                catch (InvalidDataFileException e)
                {
                    if (e.FilePath != path || !e.Message.Contains(path, StringComparison.Ordinal) || string.IsNullOrWhiteSpace(e.Problem))
                        failures.Add($"{path} ({kind}): message does not name the file and the problem: {e.Message}");
                    Count(outcomes, "refused: " + Category(e.Problem));
                }
                catch (Exception e)
                {
                    failures.Add($"{path} ({kind}): {e.GetType().Name}: {e.Message}");
                }

                // Without a checksum, whatever loads must be self-consistent.
                try
                {
                    if (b.Images)
                    {
                        IdxImages loaded = IdxReader.ReadImages(path);
                        if ((long)loaded.Count * loaded.Rows * loaded.Columns != loaded.Pixels.Length || loaded.Rows < 1 || loaded.Columns < 1)
                            failures.Add($"{path} ({kind}): {loaded.Count}×{loaded.Rows}×{loaded.Columns} images but {loaded.Pixels.Length} pixels");
                    }
                    else
                    {
                        IdxReader.ReadLabels(path);
                    }
                }
                catch (InvalidDataFileException e) when (e.FilePath == path)
                {
                }
                catch (Exception e)
                {
                    failures.Add($"{path} ({kind}), no checksum: {e.GetType().Name}: {e.Message}");
                }

                File.Delete(path);
            }
        }

        output.WriteLine($"{inputs} fuzzed inputs (seed {Seed}):");
        foreach (var (outcome, n) in outcomes.OrderByDescending(o => o.Value))
            output.WriteLine($"  {n,6}  {outcome}");
        Assert.True(inputs >= 10_000);
        Assert.True(failures.Count == 0, $"{failures.Count} of {inputs} inputs misbehaved:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("refused", StringComparison.Ordinal)) >= 5, "the mutations should hit many kinds of damage");
    }

    [Theory]
    [InlineData(false, int.MaxValue)]   // 2^31 − 1 images of 28×28: more than an array can hold
    [InlineData(false, 2_000_000)]      // 1.5 GB of pixels announced, 18 KB present
    [InlineData(true, 2_000_000)]
    [InlineData(true, int.MaxValue)]
    public void A_header_that_claims_more_images_than_the_file_holds_is_refused_before_any_large_allocation(bool gzip, int claimed)
    {
        byte[] raw = IdxFiles.Gunzip(File.ReadAllBytes(RepositoryData.MnistFile("t10k-images-idx3-ubyte.gz")))[..(16 + Items * 784)];
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), claimed);
        string path = _temp.File(gzip ? "claims.gz" : "claims");
        File.WriteAllBytes(path, gzip ? IdxFiles.Gzip(raw) : raw);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(path, error.Message);
        Assert.True(error.Problem.Contains("truncated") || error.Problem.Contains("more than"), error.Problem);
        Assert.True(allocated < 4 << 20, $"reading a {raw.Length}-byte file allocated {allocated >> 10} KiB");
    }

    [Fact]
    public void A_label_file_that_claims_two_billion_labels_is_refused_before_any_large_allocation()
    {
        byte[] raw = IdxFiles.Labels(Enumerable.Range(0, 100).Select(i => (byte)(i % 10)));
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), 2_000_000_000);
        string path = _temp.File("labels.gz");
        File.WriteAllBytes(path, IdxFiles.Gzip(raw));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadLabels(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("truncated: expected 2000000008 bytes, got 108", error.Message);
        Assert.True(allocated < 4 << 20, $"allocated {allocated >> 10} KiB");
    }

    private static string Category(string problem) =>
        problem.Contains("checksum") ? "checksum mismatch"
        : problem.Contains("truncated") ? "truncated"
        : problem.Contains("too long") ? "longer than its header says"
        : problem.Contains("magic") ? "wrong magic number"
        : problem.Contains("gzip") ? "invalid gzip"
        : problem.Contains("invalid header") ? "invalid header"
        : problem;

    private static void Count(Dictionary<string, int> outcomes, string key) =>
        outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
}
