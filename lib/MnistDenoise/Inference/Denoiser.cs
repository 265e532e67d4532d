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
        // The first passes of the network are slow for reasons that happen once per process and shape: oneDNN compiles
        // its kernels for the thread count and batch size, OpenMP starts its threads, the native heap grows to its working
        // size (glibc then keeps it, see NativeAllocator). On the project's VM a batch of 256 on both cores took 348, 294
        // and 207 ms, then 133. Passes over zeros, in the shape the pictures will come in, do that while the model loads.
        var engine = denoiser._engine;
        var workers = engine.Workers;
        if (workers > 1)
        {
            var zeros = new float[WorkerChunkSize * side * side];
            var passes = Enumerable.Repeat(zeros, 2 * workers).ToArray();
            foreach (var _ in InWorkers(engine, passes, workers, z => engine.Reconstruct(z, WorkerChunkSize))) { }
        }
        else
        {
            var zeros = new float[BatchSize * side * side];
            for (var pass = 0; pass < 3; pass++)
                engine.Reconstruct(zeros, BatchSize);
        }
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
    /// Pictures per chunk when several workers share the files (<see cref="IDenoiseEngine.Workers"/>): small enough that the
    /// workers finish together, large enough for the network's convolutions to run at full speed on one core.
    /// </summary>
    public const int WorkerChunkSize = 64;

    /// <summary>
    /// Denoises every picture named in <paramref name="inputs"/> (files, or folders whose PNG/JPEG/BMP files are taken,
    /// not recursively) and writes <c>&lt;name&gt;.denoised.png</c> and <c>&lt;name&gt;.side-by-side.png</c> into
    /// <paramref name="outputFolder"/> (created if missing; files written atomically). A file that cannot be read gets an
    /// outcome with its error and the others are still processed. Two inputs with the same name (<c>a/7.png</c>,
    /// <c>b/7.jpg</c>) would write the same files: the later one is refused. Outcomes come in input order, and
    /// <paramref name="progress"/> is called on the calling thread, in that order.
    /// </summary>
    /// <remarks>
    /// When the engine allows several callers (<see cref="IDenoiseEngine.Workers"/>: TorchSharp on the CPU), one worker
    /// thread per core takes chunks of <see cref="WorkerChunkSize"/> pictures and does everything for its chunk on its own
    /// core: read, frame, run the network single-threaded, encode, write. Nothing then waits for a slower core at every
    /// layer, and the file work of one core overlaps the network of another (on the project's 2-core VM, 1,000 pictures
    /// took about 15% less time than chunks of 256 run on both cores at once, with reading and writing in between).
    /// </remarks>
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

        var jobs = AssignNames(files);
        var workers = Math.Min(Math.Max(_engine.Workers, 1), Math.Max(1, (jobs.Length + WorkerChunkSize - 1) / WorkerChunkSize));
        var chunks = jobs.Chunk(workers > 1 ? WorkerChunkSize : BatchSize).ToArray();
        if (workers == 1)
        {
            foreach (var chunk in chunks)
                foreach (var outcome in Process(chunk, outputFolder, invert, parallel: true))
                    Report(outcome);
        }
        else
        {
            foreach (var chunk in InWorkers(_engine, chunks, workers, chunk => Process(chunk, outputFolder, invert, parallel: false)))
                foreach (var outcome in chunk)
                    Report(outcome);
        }
        return outcomes;
    }

    // One input file, the name its results get (null when refused) and why it was refused.
    private sealed record Job(string Path, string? Name, string? Refused);

    // Output names decided by the names alone, in input order: the first existing file with a name claims it.
    private static Job[] AssignNames(List<string> files)
    {
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        var jobs = new Job[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            var path = files[i];
            var name = Path.GetFileNameWithoutExtension(path);
            if (!File.Exists(path))
                jobs[i] = new Job(path, null, $"{path}: no such file or folder.");
            else if (claimed.TryGetValue(name, out var other))
                jobs[i] = new Job(path, null, $"{path}: {other} already writes {name}{DenoisedSuffix}; rename one of them or denoise them into different folders.");
            else
            {
                claimed[name] = path;
                jobs[i] = new Job(path, name, null);
            }
        }
        return jobs;
    }

    // Runs `process` over the chunks on `workers` threads of their own (each prepared by the engine) and yields the results
    // in chunk order, on the calling thread, as soon as each is ready. A worker's exception stops the others and is rethrown.
    private static IEnumerable<TOut> InWorkers<TIn, TOut>(IDenoiseEngine engine, TIn[] chunks, int workers, Func<TIn, TOut> process)
        where TOut : class
    {
        var results = new TOut?[chunks.Length];
        var next = -1;
        Exception? failure = null;
        using var finished = new SemaphoreSlim(0);
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                engine.EnterWorkerThread();
                for (int k; Volatile.Read(ref failure) is null && (k = Interlocked.Increment(ref next)) < chunks.Length;)
                {
                    Volatile.Write(ref results[k], process(chunks[k]));
                    finished.Release();
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                finished.Release();
            }
        })
        { IsBackground = true, Name = $"denoise worker {w + 1}" }).ToList();
        threads.ForEach(t => t.Start());
        try
        {
            for (var k = 0; k < chunks.Length; k++)
            {
                while (Volatile.Read(ref results[k]) is null)
                {
                    finished.Wait();
                    if (Volatile.Read(ref failure) is { } e)
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
                }
                yield return results[k]!;
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref failure, new OperationCanceledException(), null);
            threads.ForEach(t => t.Join());
        }
    }

    // Reads and frames the chunk's pictures, runs the network once over those that could be read, writes the results.
    private DenoiseOutcome[] Process(Job[] chunk, string outputFolder, InvertMode invert, bool parallel)
    {
        void For(int count, Action<int> body)
        {
            if (parallel) Parallel.For(0, count, body);
            else for (var i = 0; i < count; i++) body(i);
        }

        var prepared = new (DigitInput? Input, string? Error, bool InvertMayHelp)[chunk.Length];
        For(chunk.Length, i => prepared[i] = chunk[i].Refused is { } refused ? (null, refused, false) : Prepare(chunk[i].Path, invert));
        var ok = Enumerable.Range(0, chunk.Length).Where(i => prepared[i].Input is not null).ToArray();
        var outputs = ok.Length == 0 ? [] : Denoise([.. ok.Select(i => prepared[i].Input!.Pixels)]);

        var outcomes = new DenoiseOutcome[chunk.Length];
        For(ok.Length, k =>
        {
            var i = ok[k];
            var source = chunk[i].Path;
            var picture = new DenoisedPicture(source, prepared[i].Input!.Pixels, outputs[k], prepared[i].Input!.Inverted);
            var denoised = Path.Combine(outputFolder, chunk[i].Name + DenoisedSuffix);
            var sideBySide = Path.Combine(outputFolder, chunk[i].Name + SideBySideSuffix);
            try
            {
                // Atomic (no half-written picture under the final name) but not fsynced: they can be made again.
                AtomicFile.WriteAllBytes(denoised, picture.DenoisedPng(), flushToDisk: false);
                AtomicFile.WriteAllBytes(sideBySide, picture.SideBySidePng(), flushToDisk: false);
                outcomes[i] = new DenoiseOutcome(source, denoised, sideBySide, null, picture.Inverted);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                outcomes[i] = new DenoiseOutcome(source, null, null, $"{source}: could not write the result ({e.Message}).");
            }
        });
        for (var i = 0; i < chunk.Length; i++)
            outcomes[i] ??= new DenoiseOutcome(chunk[i].Path, null, null, prepared[i].Error, InvertMayHelp: prepared[i].InvertMayHelp);
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
            // Missing files were refused when names were assigned (AssignNames); one deleted since fails to read below.
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
