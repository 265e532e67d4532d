using MnistDenoise.Evaluation;
using MnistDenoise.Model;

namespace MnistDenoise.Inference;

/// <summary>One picture after denoising: what the network saw and what it gave back (784 values each, in [0, 1]).</summary>
/// <param name="Source">The file it came from.</param>
/// <param name="Input">The picture framed as an MNIST digit (<see cref="DigitImage"/>).</param>
/// <param name="Output">The reconstruction.</param>
/// <param name="Inverted">Whether the picture's colours were flipped.</param>
public sealed record DenoisedPicture(string Source, float[] Input, float[] Output, bool Inverted)
{
    /// <summary>The reconstruction as a 28×28 grayscale PNG.</summary>
    public byte[] DenoisedPng() => ImageGrid.ToPng([[Output]], scale: 1, gap: 0);

    /// <summary>The framed input beside the reconstruction, scaled up three times.</summary>
    public byte[] SideBySidePng() => ImageGrid.ToPng([[Input, Output]]);
}

/// <summary>What happened to one input of <see cref="Denoiser.DenoiseFiles"/>: the files written, or why none were.</summary>
/// <param name="Source">The input file (or folder, for a folder without pictures).</param>
/// <param name="Denoised">The <c>&lt;name&gt;.denoised.png</c> written, or null.</param>
/// <param name="SideBySide">The <c>&lt;name&gt;.side-by-side.png</c> written, or null.</param>
/// <param name="Error">Why nothing was written, or null on success.</param>
/// <param name="Inverted">Whether the picture's colours were flipped.</param>
/// <param name="InvertMayHelp">The picture was refused with its colours guessed; naming them may help (<see cref="InvalidImageException.InvertMayHelp"/>).</param>
public sealed record DenoiseOutcome(string Source, string? Denoised, string? SideBySide, string? Error, bool Inverted = false, bool InvertMayHelp = false)
{
    /// <summary>True when both files were written.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// Denoises pictures with a trained autoencoder: frames each as an MNIST digit (<see cref="DigitImage"/>), runs the
/// network in batches (TorchSharp through <see cref="ConvAutoencoder.Reconstruct"/>, or ONNX Runtime on an exported
/// model), and writes <c>&lt;name&gt;.denoised.png</c> and <c>&lt;name&gt;.side-by-side.png</c>.
/// </summary>
public sealed class Denoiser : IDisposable
{
    /// <summary>Pictures per forward pass.</summary>
    public const int BatchSize = 256;

    /// <summary>File extensions taken from a folder (a file named directly is tried whatever its extension).</summary>
    public static readonly IReadOnlyList<string> PictureExtensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Suffix of the reconstruction written for <c>name.ext</c>.</summary>
    public const string DenoisedSuffix = ".denoised.png";

    /// <summary>Suffix of the side-by-side picture written for <c>name.ext</c>.</summary>
    public const string SideBySideSuffix = ".side-by-side.png";

    private readonly IDenoiseEngine _engine;

    /// <summary>Uses <paramref name="engine"/>, which the denoiser disposes.</summary>
    public Denoiser(IDenoiseEngine engine) => _engine = engine ?? throw new ArgumentNullException(nameof(engine));

    /// <summary>Uses a model in memory (e.g. a notebook's); disposing the denoiser leaves the model alone.</summary>
    public Denoiser(ConvAutoencoder model) : this(new TorchEngine(model)) { }

    /// <summary>TorchSharp with the weights of the checkpoint at <paramref name="path"/>.</summary>
    public static Denoiser FromCheckpoint(string path) => WarmedUp(new(TorchEngine.FromCheckpoint(path)));

    /// <summary>ONNX Runtime alone (no libtorch) with the model written by <see cref="OnnxExport"/> at <paramref name="path"/>.</summary>
    public static Denoiser FromOnnx(string path) => WarmedUp(new(OnnxEngine.FromFile(path)));

    // Decoding, framing and encoding a picture the first time costs JIT compilation and SkiaSharp's own start-up; doing it
    // once on a square "digit" while the model loads keeps that out of the first batch of real pictures.
    private static Denoiser WarmedUp(Denoiser denoiser)
    {
        const int side = ConvAutoencoder.ImageSize;
        var square = new float[side * side];
        for (var y = 9; y < 19; y++) Array.Fill(square, 1f, y * side + 9, 10);
        var picture = new DenoisedPicture("", square, square, false);
        using var png = new MemoryStream(picture.DenoisedPng());
        DigitImage.Decode(png, "warm-up");
        picture.SideBySidePng();
        return denoiser;
    }

    /// <summary>"torch" or "onnx".</summary>
    public string Engine => _engine.Name;

    /// <summary>Reconstructs 784-value images (in [0, 1]) in batches of <see cref="BatchSize"/>.</summary>
    public float[][] Denoise(IReadOnlyList<float[]> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        const int pixels = ConvAutoencoder.ImageSize * ConvAutoencoder.ImageSize;
        var results = new float[images.Count][];
        for (var start = 0; start < images.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, images.Count - start);
            var batch = new float[count * pixels];
            for (var i = 0; i < count; i++)
            {
                if (images[start + i].Length != pixels)
                    throw new ArgumentException($"Image {start + i} has {images[start + i].Length} values; each must have 28×28 = {pixels}.", nameof(images));
                images[start + i].CopyTo(batch, i * pixels);
            }
            var output = _engine.Reconstruct(batch, count);
            for (var i = 0; i < count; i++)
                results[start + i] = output.AsSpan(i * pixels, pixels).ToArray();
        }
        return results;
    }

    /// <summary>Reads, frames and denoises one picture, writing nothing.</summary>
    /// <exception cref="InvalidImageException">The file is not a usable picture; the message says why.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public DenoisedPicture DenoiseFile(string path, InvertMode invert = InvertMode.Auto)
    {
        var input = DigitImage.Load(path, invert);
        return new DenoisedPicture(path, input.Pixels, Denoise([input.Pixels])[0], input.Inverted);
    }

    /// <summary>
    /// Denoises every picture named in <paramref name="inputs"/> (files, or folders whose PNG/JPEG/BMP files are taken,
    /// not recursively) and writes <c>&lt;name&gt;.denoised.png</c> and <c>&lt;name&gt;.side-by-side.png</c> into
    /// <paramref name="outputFolder"/> (created if missing; files written atomically). A file that cannot be read gets an
    /// outcome with its error and the others are still processed. Outcomes come in input order.
    /// </summary>
    public IReadOnlyList<DenoiseOutcome> DenoiseFiles(IEnumerable<string> inputs, string outputFolder, InvertMode invert = InvertMode.Auto,
        Action<DenoiseOutcome>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputFolder);
        Directory.CreateDirectory(outputFolder);
        var outcomes = new List<DenoiseOutcome>();
        void Report(DenoiseOutcome o) { outcomes.Add(o); progress?.Invoke(o); }

        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input)
                    .Where(IsPicture)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                    Report(new DenoiseOutcome(input, null, null, $"{input}: the folder holds no {string.Join(", ", PictureExtensions)} files."));
                files.AddRange(found);
            }
            else files.Add(input);
        }

        // Two inputs with the same name (a/7.png and b/7.jpg) would write the same output; the later one is refused.
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var start = 0; start < files.Count; start += BatchSize)
        {
            var chunk = files.Skip(start).Take(BatchSize).ToArray();
            var prepared = new (DigitInput? Input, string? Error, bool InvertMayHelp)[chunk.Length];
            Parallel.For(0, chunk.Length, i => prepared[i] = Prepare(chunk[i], invert));
            var names = new string?[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                if (prepared[i].Input is null) continue;
                var name = Path.GetFileNameWithoutExtension(chunk[i]);
                if (claimed.TryGetValue(name, out var other))
                    prepared[i] = (null, $"{chunk[i]}: {other} already writes {name}{DenoisedSuffix}; rename one of them or denoise them into different folders.", false);
                else
                {
                    claimed[name] = chunk[i];
                    names[i] = name;
                }
            }

            var ok = Enumerable.Range(0, chunk.Length).Where(i => prepared[i].Input is not null).ToArray();
            var outputs = Denoise([.. ok.Select(i => prepared[i].Input!.Pixels)]);
            var written = new DenoiseOutcome[chunk.Length];
            Parallel.For(0, ok.Length, k =>
            {
                var i = ok[k];
                var picture = new DenoisedPicture(chunk[i], prepared[i].Input!.Pixels, outputs[k], prepared[i].Input!.Inverted);
                var denoised = Path.Combine(outputFolder, names[i] + DenoisedSuffix);
                var sideBySide = Path.Combine(outputFolder, names[i] + SideBySideSuffix);
                try
                {
                    // Atomic (no half-written picture under the final name) but not fsynced: they can be made again.
                    AtomicFile.WriteAllBytes(denoised, picture.DenoisedPng(), flushToDisk: false);
                    AtomicFile.WriteAllBytes(sideBySide, picture.SideBySidePng(), flushToDisk: false);
                    written[i] = new DenoiseOutcome(chunk[i], denoised, sideBySide, null, picture.Inverted);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    written[i] = new DenoiseOutcome(chunk[i], null, null, $"{chunk[i]}: could not write the result ({e.Message}).");
                }
            });
            for (var i = 0; i < chunk.Length; i++)
                Report(written[i] ?? new DenoiseOutcome(chunk[i], null, null, prepared[i].Error, InvertMayHelp: prepared[i].InvertMayHelp));
        }
        return outcomes;
    }

    private static bool IsPicture(string path)
    {
        var name = Path.GetFileName(path);
        // Results of an earlier run in the same folder are not inputs.
        if (name.EndsWith(DenoisedSuffix, StringComparison.OrdinalIgnoreCase) || name.EndsWith(SideBySideSuffix, StringComparison.OrdinalIgnoreCase))
            return false;
        return PictureExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
    }

    private static (DigitInput?, string?, bool InvertMayHelp) Prepare(string path, InvertMode invert)
    {
        try
        {
            if (!File.Exists(path))
                return (null, $"{path}: no such file or folder.", false);
            return (DigitImage.Load(path, invert), null, false);
        }
        catch (InvalidImageException e)
        {
            return (null, e.Message, e.InvertMayHelp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{path}: could not be read ({e.Message}).", false);
        }
    }

    internal static void CheckBatch(float[] images, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (images.Length != count * ConvAutoencoder.ImageSize * ConvAutoencoder.ImageSize)
            throw new ArgumentException($"Expected {count} images of 28×28 = {count * 784} values; got {images.Length}.", nameof(images));
    }

    /// <summary>Disposes the engine (and a model the denoiser loaded itself).</summary>
    public void Dispose() => _engine.Dispose();
}
