using System.Diagnostics;
using MnistDenoise.Runtime;
using TorchSharp;

namespace MnistDenoise.Tests.Runtime;

public class LibTorchLoaderTests
{
    private static byte[] Wrapper() => File.ReadAllBytes(Path.Combine(TestPaths.LinuxNativeDirectory, "libLibTorchSharp.so"));

    [Fact]
    public void Torch_initializes_and_computes()
    {
        LibTorchLoader.EnsureLoaded();
        Assert.NotNull(LibTorchLoader.Status);
        using var sum = torch.ones(2, 2).sum();
        Assert.Equal(4f, sum.item<float>());
    }

    [Fact]
    public void Marking_the_requirement_weak_flips_only_its_flag()
    {
        var original = Wrapper();
        var patched = (byte[])original.Clone();

        Assert.True(LibTorchLoader.TryMarkVersionWeak(patched, LibTorchLoader.MissingVersion));

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        var at = Assert.Single(changed); // vna_flags is little-endian; WEAK (0x2) lives in its low byte
        Assert.Equal(0, original[at] & 0x2);
        Assert.Equal(original[at] | 0x2, patched[at]);
    }

    [Fact]
    public void Marking_twice_changes_nothing_more()
    {
        var once = Wrapper();
        LibTorchLoader.TryMarkVersionWeak(once, LibTorchLoader.MissingVersion);
        var twice = (byte[])once.Clone();
        Assert.True(LibTorchLoader.TryMarkVersionWeak(twice, LibTorchLoader.MissingVersion));
        Assert.Equal(once, twice);
    }

    [Fact]
    public void The_linker_sees_the_patched_requirement_as_weak()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/readelf")) return; // binutils' view, where available
        using var temp = new TestPaths.TempDirectory();
        var bytes = Wrapper();
        LibTorchLoader.TryMarkVersionWeak(bytes, LibTorchLoader.MissingVersion);
        var path = Path.Combine(temp.Path, "libLibTorchSharp.so");
        File.WriteAllBytes(path, bytes);

        var psi = new ProcessStartInfo("/usr/bin/readelf", ["-V", path]) { RedirectStandardOutput = true };
        using var readelf = Process.Start(psi)!;
        var lines = readelf.StandardOutput.ReadToEnd().Split('\n');
        readelf.WaitForExit();
        var line = Assert.Single(lines, l => l.Contains("Name: " + LibTorchLoader.MissingVersion));
        Assert.Contains("Flags: WEAK", line);
        Assert.DoesNotContain(lines, l => l.Contains("Name: GLIBCXX_3.4.30") && l.Contains("WEAK"));
    }

    [Fact]
    public void A_file_that_is_not_elf_is_left_alone()
    {
        var text = "not an ELF file, just some text that is long enough to look at twice"u8.ToArray();
        var copy = (byte[])text.Clone();
        Assert.False(LibTorchLoader.TryMarkVersionWeak(copy, LibTorchLoader.MissingVersion));
        Assert.Equal(text, copy);
    }

    [Fact]
    public void An_elf_without_the_requirement_is_left_alone()
    {
        var c10 = File.ReadAllBytes(Path.Combine(TestPaths.LinuxNativeDirectory, "libc10.so"));
        var copy = (byte[])c10.Clone();
        Assert.False(LibTorchLoader.TryMarkVersionWeak(copy, LibTorchLoader.MissingVersion));
        Assert.Equal(c10, copy);
    }

    [Fact]
    public void A_truncated_elf_is_left_alone()
    {
        var head = Wrapper()[..4096];
        var copy = (byte[])head.Clone();
        Assert.False(LibTorchLoader.TryMarkVersionWeak(copy, LibTorchLoader.MissingVersion));
        Assert.Equal(head, copy);
    }

    [Fact]
    public void The_patched_copy_lives_outside_the_package_and_build_folders()
    {
        if (!OperatingSystem.IsLinux() || LibTorchLoader.SystemProvidesMissingVersion()) return;
        var original = Path.Combine(TestPaths.LinuxNativeDirectory, "libLibTorchSharp.so");
        var before = File.ReadAllBytes(original);
        var copy = LibTorchLoader.PatchedCopy(original);
        Assert.NotEqual(Path.GetDirectoryName(original), Path.GetDirectoryName(copy));
        Assert.DoesNotContain(AppContext.BaseDirectory, copy);
        Assert.Equal(before, File.ReadAllBytes(original));
        Assert.NotEqual(before, File.ReadAllBytes(copy));
    }
}
