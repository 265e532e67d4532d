using MnistDenoise.Inference;
using MnistDenoise.Runtime;
using SkiaSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Inference;

public class DenoiserTests
{
    [Fact]
    public void A_folder_of_good_and_bad_files_gives_results_for_the_good_and_a_message_for_each_bad_one()
    {
        using var temp = new TestPaths.TempDirectory();
        var input = Directory.CreateDirectory(Path.Combine(temp.Path, "in")).FullName;
        for (var i = 0; i < 3; i++)
            TrainedModel.WritePng(TrainedModel.TestImage(i), Path.Combine(input, $"digit{i}.png"));
        File.WriteAllBytes(Path.Combine(input, "photo.jpg"), TrainedModel.PaperPicture(5, scale: 6, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(input, "empty.png"), []);
        File.WriteAllText(Path.Combine(input, "text.png"), "not a picture");
        File.WriteAllBytes(Path.Combine(input, "huge.png"), TrainedModel.HugeHeaderPng());
        var full = TrainedModel.PaperPicture(2, scale: 3);
        File.WriteAllBytes(Path.Combine(input, "cut.png"), full[..(full.Length / 3)]);
        File.WriteAllText(Path.Combine(input, "readme.txt"), "not taken from a folder");
        var output = Path.Combine(temp.Path, "out");

        using var denoiser = Denoiser.FromCheckpoint(TrainedModel.CheckpointPath);
        var outcomes = denoiser.DenoiseFiles([input], output);

        Assert.Equal(8, outcomes.Count);
        var good = outcomes.Where(o => o.Succeeded).Select(o => Path.GetFileName(o.Source)).Order().ToArray();
        Assert.Equal(["digit0.png", "digit1.png", "digit2.png", "photo.jpg"], good);
        Assert.True(outcomes.Single(o => o.Source.EndsWith("photo.jpg")).Inverted);
        foreach (var bad in outcomes.Where(o => !o.Succeeded))
            Assert.StartsWith(bad.Source + ":", bad.Error);
        foreach (var o in outcomes.Where(o => o.Succeeded))
        {
            using (var denoised = SKBitmap.Decode(o.Denoised))
                Assert.Equal((28, 28), (denoised.Width, denoised.Height));
            using (var pair = SKBitmap.Decode(o.SideBySide))
                Assert.Equal((2 * 84 + 3 * 2, 84 + 2 * 2), (pair.Width, pair.Height));
        }
        Assert.Equal(8, Directory.GetFiles(output).Length); // two per good picture, no temporary files

        // A second run over the same folder with the output inside it does not take its own results as inputs.
        var again = denoiser.DenoiseFiles([input], input);
        Assert.Equal(8, again.Count);
    }

    [Fact]
    public void The_denoised_png_is_the_models_reconstruction_of_the_framed_picture()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "seven.png");
        File.WriteAllBytes(path, TrainedModel.PaperPicture(0, scale: 5));
        using var model = TrainedModel.Load();
        using var denoiser = new Denoiser(model);

        var outcome = Assert.Single(denoiser.DenoiseFiles([path], temp.Path));
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(Path.Combine(temp.Path, "seven.denoised.png"), outcome.Denoised);

        var framed = DigitImage.Load(path).Pixels;
        using var scope = NewDisposeScope();
        var expected = model.Reconstruct(tensor(framed, [1, 28, 28, 1])).data<float>().ToArray();
        using var png = SKBitmap.Decode(outcome.Denoised);
        for (var i = 0; i < 784; i++)
            Assert.Equal(Math.Round(expected[i] * 255), png.GetPixel(i % 28, i / 28).Red, 0);
        // The network did something: the output is not the input.
        Assert.True(framed.Zip(expected, (a, b) => Math.Abs(a - b)).Average() > 0.01);
    }

    [Fact]
    public void Torch_and_onnx_engines_give_the_same_pictures()
    {
        var images = Enumerable.Range(0, 300).Select(TrainedModel.TestImage).ToArray(); // more than one batch
        using var torchDenoiser = Denoiser.FromCheckpoint(TrainedModel.CheckpointPath);
        using var onnxDenoiser = Denoiser.FromOnnx(TrainedModel.OnnxPath);
        Assert.Equal(("torch", "onnx"), (torchDenoiser.Engine, onnxDenoiser.Engine));
        var a = torchDenoiser.Denoise(images);
        var b = onnxDenoiser.Denoise(images);
        Assert.Equal(300, b.Length);
        Assert.True(a.Zip(b, (x, y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Max()).Max() <= 1e-5);
    }

    [Fact]
    public void Two_inputs_with_the_same_name_do_not_overwrite_each_other()
    {
        using var temp = new TestPaths.TempDirectory();
        var first = Path.Combine(Directory.CreateDirectory(Path.Combine(temp.Path, "a")).FullName, "7.png");
        var second = Path.Combine(Directory.CreateDirectory(Path.Combine(temp.Path, "b")).FullName, "7.jpg");
        TrainedModel.WritePng(TrainedModel.TestImage(0), first);
        File.WriteAllBytes(second, TrainedModel.PaperPicture(0, 3, SKEncodedImageFormat.Jpeg));
        using var denoiser = Denoiser.FromCheckpoint(TrainedModel.CheckpointPath);

        var outcomes = denoiser.DenoiseFiles([first, second, Path.Combine(temp.Path, "missing.png")], Path.Combine(temp.Path, "out"));

        Assert.True(outcomes[0].Succeeded);
        Assert.Contains("already writes 7.denoised.png", outcomes[1].Error);
        Assert.Contains("no such file or folder", outcomes[2].Error);
    }

    [Fact]
    public void Workers_give_every_picture_its_own_reconstruction_in_input_order()
    {
        // More pictures than one chunk per worker, with bad files in several chunks.
        const int count = 3 * Denoiser.WorkerChunkSize + 10;
        using var temp = new TestPaths.TempDirectory();
        var paths = new string[count];
        for (var i = 0; i < count; i++)
        {
            paths[i] = Path.Combine(temp.Path, $"p{i:D3}.png");
            if (i % 50 == 7) File.WriteAllText(paths[i], "not a picture");
            else TrainedModel.WritePng(TrainedModel.TestImage(i), paths[i]);
        }
        using var denoiser = Denoiser.FromCheckpoint(TrainedModel.CheckpointPath);
        var threads = get_num_threads();
        using (var engine = new TorchEngine(TrainedModel.Load()))
            Assert.Equal(threads, engine.Workers); // on the CPU, one worker per torch thread

        var seen = new List<string>();
        var outcomes = denoiser.DenoiseFiles(paths, Path.Combine(temp.Path, "out"), progress: o => seen.Add(o.Source));

        Assert.Equal(paths, outcomes.Select(o => o.Source));
        Assert.Equal(paths, seen);
        Assert.Equal(threads, get_num_threads()); // the calling thread's torch threads are left as they were
        var good = Enumerable.Range(0, count).Where(i => i % 50 != 7).ToArray();
        Assert.All(Enumerable.Range(0, count).Except(good), i => Assert.False(outcomes[i].Succeeded));
        // Each result is the network's reconstruction of its own picture, as one call over all of them gives it (the
        // workers' single-threaded convolutions may round differently: at most one grey level).
        var expected = denoiser.Denoise([.. good.Select(i => DigitImage.Load(paths[i]).Pixels)]);
        for (var k = 0; k < good.Length; k++)
        {
            var outcome = outcomes[good[k]];
            Assert.True(outcome.Succeeded, outcome.Error);
            using var png = SKBitmap.Decode(outcome.Denoised);
            for (var p = 0; p < 784; p++)
                Assert.True(Math.Abs(Math.Round(expected[k][p] * 255) - png.GetPixel(p % 28, p / 28).Red) <= 1, $"{outcome.Source}, pixel {p}");
        }
    }

    [Fact]
    public void A_worker_thread_runs_the_network_on_one_thread_and_leaves_the_others_alone()
    {
        using var engine = new TorchEngine(TrainedModel.Load());
        var before = get_num_threads();
        var inWorker = 0;
        var thread = new Thread(() =>
        {
            engine.EnterWorkerThread();
            inWorker = get_num_threads();
        });
        thread.Start();
        thread.Join();
        if (OperatingSystem.IsLinux())
            Assert.True(OpenMpSettings.CanLimitCallingThread, "libtorch's omp_set_num_threads was not found: denoise would run one worker");
        Assert.Equal(OpenMpSettings.CanLimitCallingThread ? before : 1, engine.Workers);
        Assert.Equal(OpenMpSettings.CanLimitCallingThread ? 1 : before, inWorker);
        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void An_engine_failure_in_a_worker_reaches_the_caller()
    {
        using var temp = new TestPaths.TempDirectory();
        var paths = Enumerable.Range(0, 2 * Denoiser.WorkerChunkSize + 1).Select(i => Path.Combine(temp.Path, $"p{i}.png")).ToArray();
        foreach (var (path, i) in paths.Select((p, i) => (p, i)))
            TrainedModel.WritePng(TrainedModel.TestImage(i), path);
        using var denoiser = new Denoiser(new FailingEngine());

        var e = Assert.Throws<InvalidOperationException>(() => denoiser.DenoiseFiles(paths, Path.Combine(temp.Path, "out")));
        Assert.Equal("the engine failed", e.Message);
    }

    // Two workers; every call fails.
    private sealed class FailingEngine : IDenoiseEngine
    {
        public string Name => "failing";
        public int Workers => 2;
        public float[] Reconstruct(float[] images, int count) => throw new InvalidOperationException("the engine failed");
        public void Dispose() { }
    }

    [Fact]
    public void A_missing_checkpoint_says_how_to_make_one()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Denoiser.FromCheckpoint(Path.Combine(Path.GetTempPath(), "no-such-dir-xyz", "a.weights")));
        // The library says what is missing; the command line (denoise) adds how to make one.
        Assert.Contains("mnist-denoise train", MnistDenoise.Cli.Advice.ForCheckpoint(e).Message);
    }
}
