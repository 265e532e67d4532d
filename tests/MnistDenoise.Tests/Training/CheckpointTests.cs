using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Training;

public class CheckpointTests
{
    [Fact]
    public void Saved_weights_load_back_exactly()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        using var saved = new ConvAutoencoder(seed: 1);
        Checkpoint.Save(saved, path);

        using var loaded = new ConvAutoencoder(seed: 2);
        Checkpoint.Load(loaded, path);
        foreach (var (name, tensor) in saved.state_dict())
            Assert.True(tensor.allclose(loaded.state_dict()[name], rtol: 0, atol: 0), name);
        Assert.Equal(new[] { "a.weights" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_file_is_torchsharps_own_module_format()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        using var saved = new ConvAutoencoder(seed: 1);
        Checkpoint.Save(saved, path);
        using var loaded = new ConvAutoencoder(seed: 2);
        loaded.load(path); // TorchSharp's loader, strict
        Assert.True(saved.weights["conv6"].allclose(loaded.weights["conv6"], rtol: 0, atol: 0));
    }

    [Fact]
    public void A_missing_file_says_how_to_get_one()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(model, Path.Combine(Path.GetTempPath(), "no-such.weights")));
        Assert.Contains("Train first", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_rejected_and_the_model_is_untouched()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        using (var saved = new ConvAutoencoder(seed: 1)) Checkpoint.Save(saved, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        using var model = new ConvAutoencoder(seed: 2);
        using var before = model.weights["conv1"].clone();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path));
        Assert.Contains("damaged", e.Message);
        Assert.True(before.allclose(model.weights["conv1"], rtol: 0, atol: 0));
    }

    [Fact]
    public void A_checkpoint_of_another_model_lists_every_mismatch()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "other.weights");
        using (var other = nn.Sequential(("conv1", nn.Conv2d(1, 64, 5)), ("conv2", nn.Conv2d(64, 64, 5))))
            other.save(path);

        using var model = new ConvAutoencoder(seed: 2);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path));
        Assert.Contains("missing 'weights.conv1'", e.Message);
        Assert.Contains("unexpected 'conv1.weight'", e.Message);
        Assert.Contains("different model", e.Message);
    }

    [Fact]
    public void A_shape_mismatch_names_the_entry_and_both_shapes()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        using (var model = new ConvAutoencoder(seed: 1))
        {
            using (no_grad()) model.weights["conv3"] = new TorchSharp.Modules.Parameter(zeros(5, 5, 64, 16));
            Checkpoint.Save(model, path);
        }
        using var target = new ConvAutoencoder(seed: 2);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(target, path));
        Assert.Contains("'weights.conv3' has shape (5, 5, 64, 16) in the file but (5, 5, 64, 32) in the model", e.Message);
    }

    [Fact]
    public void A_failed_save_keeps_the_old_file_and_leaves_no_temporary()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("boom"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}

public class CheckpointTamperingTests
{
    [Fact]
    public void Any_flipped_byte_or_cut_is_refused_and_the_model_is_untouched()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        using (var saved = new ConvAutoencoder(seed: 1)) Checkpoint.Save(saved, path);
        var original = File.ReadAllBytes(path);
        using var model = new ConvAutoencoder(seed: 2);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var random = new Random(7);
        var tampered = 0;
        for (var i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            // Half flip a byte anywhere (header, names, tensor data, checksum), half cut the file short.
            if (i % 2 == 0) bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
            else bytes = bytes[..random.Next(bytes.Length)];
            var file = Path.Combine(temp.Path, $"t{i}.weights");
            File.WriteAllBytes(file, bytes);
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, file));
            Assert.Contains(file, e.Message);
            tampered++;
        }

        Assert.Equal(150, tampered);
        foreach (var (name, tensor) in model.state_dict())
            Assert.True(tensor.eq(before[name]).all().item<bool>(), name);
    }

    [Fact]
    public void A_flipped_weight_byte_is_caught_by_the_checksum()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        using (var saved = new ConvAutoencoder(seed: 1)) Checkpoint.Save(saved, path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01; // inside conv2's weights: TorchSharp alone would load it happily
        File.WriteAllBytes(path, bytes);

        using var model = new ConvAutoencoder(seed: 2);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path));
        Assert.Contains("does not match the SHA-256 recorded in it", e.Message);
    }
}
