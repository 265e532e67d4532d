using System.Globalization;

namespace MnistDenoise.Runtime;

/// <summary>This process's resident memory, as Linux reports it in <c>/proc/self/status</c>.</summary>
public static class ProcessMemory
{
    /// <summary>The peak resident set size (VmHWM) in MiB; null where there is no /proc/self/status.</summary>
    public static double? PeakResidentMib() => StatusMib("VmHWM");

    /// <summary>The current resident set size (VmRSS) in MiB; null where there is no /proc/self/status.</summary>
    public static double? ResidentMib() => StatusMib("VmRSS");

    // A line such as "VmHWM:	  123456 kB".
    private static double? StatusMib(string key)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }
}
