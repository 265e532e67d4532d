using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;

namespace MnistDenoise.Runtime;

/// <summary>
/// Makes TorchSharp's native library load on Linux distributions whose libstdc++ is older than GCC 13
/// (Debian 12, Ubuntu 22.04). Call <see cref="EnsureLoaded"/> before the first use of <c>torch</c>;
/// it is idempotent, thread-safe, and does nothing on Windows, macOS or an up-to-date Linux. On every Linux it also sets
/// libgomp's spin-wait and thread-count defaults first (<see cref="OpenMpSettings.ApplyDefaults"/>), which must happen before libtorch loads.
/// </summary>
/// <remarks>
/// The problem: TorchSharp 0.107's <c>libLibTorchSharp.so</c> declares that it needs the symbol version
/// <c>GLIBCXX_3.4.32</c> (GCC 13's libstdc++), for one symbol only, <c>_ZSt21ios_base_library_initv</c>,
/// which GCC 13's &lt;iostream&gt; references but never calls. An older libstdc++ makes the dynamic
/// linker refuse the whole library, and TorchSharp reports a misleading "missing libtorch-cpu" error.
/// The fix: copy <c>libLibTorchSharp.so</c> into a per-user cache folder keyed by the SHA-256 of the
/// original, set the <c>VER_FLG_WEAK</c> flag on that one version requirement in the copy (the linker
/// then only warns), load libtorch from the NuGet package by full path (so a system-wide libtorch, such
/// as Debian's <c>libtorch1.13</c>, cannot be picked by name), load the copy, and tell the runtime to
/// resolve TorchSharp's <c>[DllImport("LibTorchSharp")]</c> to it. The NuGet package folder and the
/// build output are never modified.
/// </remarks>
public static class LibTorchLoader
{
    /// <summary>The symbol version that GCC 13's libstdc++ introduced and Debian 12 lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    // The only symbol of libLibTorchSharp.so bound to GLIBCXX_3.4.32. If the process's libstdc++
    // exports it, the system already satisfies the requirement and nothing needs fixing.
    private const string ProbeSymbol = "_ZSt21ios_base_library_initv";

    // libtorch's own libraries, in dependency order; libLibTorchSharp.so finds them by SONAME once loaded.
    private static readonly string[] LibTorchLibraries = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    private static readonly Lock Gate = new();
    private static string? _status;

    /// <summary>What <see cref="EnsureLoaded"/> did, for diagnostics; null before the first call.</summary>
    public static string? Status => _status;

    /// <summary>
    /// Prepares TorchSharp's native library for this process. Must run before the first call into
    /// <c>torch</c>; later calls return at once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The native files cannot be found or loaded; the message says which and what to do.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_status is not null) return;
            // First, before libtorch_cpu.so pulls in libgomp: libgomp reads its settings once, when it loads.
            OpenMpSettings.ApplyDefaults();
            _status = LoadCore();
        }
    }

    private static string LoadCore()
    {
        if (!OperatingSystem.IsLinux())
            return "not Linux: TorchSharp loads its native library itself";
        if (SystemProvidesMissingVersion())
            return $"the system libstdc++ provides {MissingVersion}: nothing to fix";

        var torchSharpAssembly = typeof(torch).Assembly;
        var (wrapper, libtorchDir) = FindNativeFiles(torchSharpAssembly);

        foreach (var name in LibTorchLibraries)
            NativeLibrary.Load(Path.Combine(libtorchDir, name));

        var patched = PatchedCopy(wrapper);
        var handle = NativeLibrary.Load(patched);
        NativeLibrary.SetDllImportResolver(torchSharpAssembly, (name, _, _) =>
            name is "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" ? handle : IntPtr.Zero);
        return $"loaded libtorch from {libtorchDir} and a patched copy of libLibTorchSharp.so from {patched}";
    }

    /// <summary>
    /// The address of <paramref name="symbol"/> as libtorch sees it: exported by <c>libtorch_cpu.so</c> or a library it
    /// depends on (such as its own libgomp). False if libtorch is not loaded yet or has no such symbol.
    /// </summary>
    internal static bool TryGetLibTorchExport(string symbol, out IntPtr address)
    {
        address = IntPtr.Zero;
        if (_status is null || !OperatingSystem.IsLinux()) return false;
        try
        {
            var (_, libtorchDir) = FindNativeFiles(typeof(torch).Assembly);
            // Already loaded: dlopen hands back the same library, and dlsym on it searches its dependencies too.
            return NativeLibrary.TryLoad(Path.Combine(libtorchDir, "libtorch_cpu.so"), out var handle)
                && NativeLibrary.TryGetExport(handle, symbol, out address);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>True when the libstdc++ that this process uses already has GCC 13's <c>GLIBCXX_3.4.32</c> symbols.</summary>
    internal static bool SystemProvidesMissingVersion()
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out var libstdcxx)) return false;
        return NativeLibrary.TryGetExport(libstdcxx, ProbeSymbol, out _);
    }

    /// <summary>
    /// Finds <c>libLibTorchSharp.so</c> and the folder holding libtorch's libraries: in a build output
    /// (<c>runtimes/linux-x64/native</c> or flat, for a RID-specific build) or, in a notebook kernel, in
    /// the NuGet package folder next to <c>torchsharp/&lt;version&gt;/lib/net8.0/TorchSharp.dll</c>.
    /// </summary>
    internal static (string Wrapper, string LibTorchDirectory) FindNativeFiles(Assembly torchSharpAssembly)
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var searched = new List<string>();
        var assemblyDir = Path.GetDirectoryName(torchSharpAssembly.Location);
        var outputDirs = new[] { AppContext.BaseDirectory, assemblyDir }
            .Where(d => !string.IsNullOrEmpty(d)).Distinct().Cast<string>();

        // A build output: everything in one folder.
        foreach (var dir in outputDirs)
        {
            foreach (var candidate in new[] { Path.Combine(dir, "runtimes", rid, "native"), dir })
            {
                searched.Add(candidate);
                if (File.Exists(Path.Combine(candidate, "libLibTorchSharp.so")) && File.Exists(Path.Combine(candidate, "libtorch.so")))
                    return (Path.Combine(candidate, "libLibTorchSharp.so"), candidate);
            }
        }

        // The NuGet package folder: <packages>/torchsharp/<v>/lib/net8.0/TorchSharp.dll, libtorch in a sibling package.
        if (assemblyDir is not null)
        {
            var versionDir = Directory.GetParent(assemblyDir)?.Parent;
            var packagesDir = versionDir?.Parent?.Parent;
            if (versionDir is not null && packagesDir is not null)
            {
                var wrapper = Path.Combine(versionDir.FullName, "runtimes", rid, "native", "libLibTorchSharp.so");
                var libtorch = Directory.EnumerateDirectories(packagesDir.FullName, $"libtorch-*-{rid}")
                    .OrderBy(d => Path.GetFileName(d).Contains("cpu", StringComparison.Ordinal) ? 1 : 0) // a CUDA build first, if referenced
                    .SelectMany(d => Directory.EnumerateDirectories(d).OrderByDescending(v => Version.TryParse(Path.GetFileName(v), out var x) ? x : new Version()))
                    .Select(v => Path.Combine(v, "runtimes", rid, "native"))
                    .FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch.so")));
                searched.Add(Path.GetDirectoryName(wrapper)!);
                if (File.Exists(wrapper) && libtorch is not null)
                    return (wrapper, libtorch);
            }
        }

        throw new InvalidOperationException(
            "TorchSharp's native files (libLibTorchSharp.so, libtorch.so) were not found. Searched: " +
            string.Join(", ", searched) + ". Reference the NuGet package TorchSharp-cpu (or TorchSharp plus " +
            $"libtorch-cpu-{rid}) and rebuild, or, in a C# script, run #r \"nuget: TorchSharp-cpu, <version>\" first.");
    }

    /// <summary>
    /// Returns the path of a copy of <paramref name="original"/> whose <see cref="MissingVersion"/> requirement
    /// is weak, creating it if needed in <c>$XDG_CACHE_HOME/mnist-denoise/libtorchsharp/&lt;sha256&gt;/</c>
    /// (atomically: written to a temporary file, then renamed).
    /// </summary>
    internal static string PatchedCopy(string original)
    {
        var bytes = File.ReadAllBytes(original);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        if (!TryMarkVersionWeak(bytes, MissingVersion))
            return original; // nothing to mark: the original loads as it is

        // A read-only home (some CI sandboxes) falls back to the temporary folder.
        foreach (var root in new[] { cacheRoot, Path.GetTempPath() })
        {
            var dir = Path.Combine(root, "mnist-denoise", "libtorchsharp", hash);
            var target = Path.Combine(dir, Path.GetFileName(original));
            if (File.Exists(target)) return target;
            try
            {
                AtomicFile.WriteAllBytes(target, bytes); // a concurrent process never loads a half-written copy
                return target;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // try the next root
            }
        }
        throw new InvalidOperationException(
            $"Could not write the patched copy of {original} under {cacheRoot} or {Path.GetTempPath()}; " +
            "set XDG_CACHE_HOME to a writable folder.");
    }

    // ELF constants (see elf(5) and the LSB's "Symbol Versioning" chapter).
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>
    /// In an ELF image, sets <c>VER_FLG_WEAK</c> in the <c>vna_flags</c> of every <c>SHT_GNU_verneed</c>
    /// entry named <paramref name="versionName"/>. Changes nothing else; returns false, leaving the bytes
    /// untouched, when the image is not ELF or has no such requirement.
    /// </summary>
    internal static bool TryMarkVersionWeak(byte[] image, string versionName)
    {
        var elf = image;
        if (elf.Length < 64 || !elf.AsSpan(0, 4).SequenceEqual("\u007fELF"u8))
            return false;
        var is64 = elf[4] == 2;
        var little = elf[5] == 1;
        if (elf[4] is not (1 or 2) || elf[5] is not (1 or 2)) return false;

        ulong Read(int offset, int size)
        {
            var s = elf.AsSpan(offset, size);
            return size switch
            {
                2 => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
                4 => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
                _ => little ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s),
            };
        }
        var word = is64 ? 8 : 4;
        var shoff = (long)Read(is64 ? 0x28 : 0x20, word);
        var shentsize = (int)Read(is64 ? 0x3A : 0x2E, 2);
        var shnum = (int)Read(is64 ? 0x3C : 0x30, 2);
        if (shoff <= 0 || shoff + (long)shentsize * shnum > elf.Length) return false;

        // Section header fields: sh_type at 4, sh_offset at 0x18 (64) / 0x10 (32), sh_size after it,
        // sh_link after that, sh_info after sh_link.
        (uint Type, long Offset, long Size, int Link, int Info) Section(int i)
        {
            var h = (int)shoff + i * shentsize;
            var off = h + (is64 ? 0x18 : 0x10);
            return ((uint)Read(h + 4, 4), (long)Read(off, word), (long)Read(off + word, word),
                    (int)Read(off + 2 * word, 4), (int)Read(off + 2 * word + 4, 4));
        }

        var target = Encoding.ASCII.GetBytes(versionName);
        var changed = false;
        for (var i = 0; i < shnum; i++)
        {
            var verneed = Section(i);
            if (verneed.Type != ShtGnuVerneed) continue;
            if (verneed.Link >= shnum || verneed.Offset < 0 || verneed.Offset >= elf.Length) continue;
            var strings = Section(verneed.Link);
            // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            // Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
            var entry = verneed.Offset;
            for (var n = 0; n < verneed.Info && entry + 16 <= elf.Length; n++)
            {
                var count = (int)Read((int)entry + 2, 2);
                var aux = entry + (long)Read((int)entry + 8, 4);
                for (var a = 0; a < count && aux + 16 <= elf.Length; a++)
                {
                    var nameAt = strings.Offset + (long)Read((int)aux + 8, 4);
                    if (nameAt < 0 || nameAt >= elf.Length) return changed;
                    var name = elf.AsSpan((int)nameAt);
                    var end = name.IndexOf((byte)0);
                    if (end >= 0 && name[..end].SequenceEqual(target))
                    {
                        var flagsAt = (int)aux + 4;
                        var flags = (ushort)(Read(flagsAt, 2) | VerFlgWeak);
                        if (little) BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(flagsAt, 2), flags);
                        else BinaryPrimitives.WriteUInt16BigEndian(elf.AsSpan(flagsAt, 2), flags);
                        changed = true;
                    }
                    var nextAux = (long)Read((int)aux + 12, 4);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                var next = (long)Read((int)entry + 12, 4);
                if (next == 0) break;
                entry += next;
            }
        }
        return changed;
    }
}
