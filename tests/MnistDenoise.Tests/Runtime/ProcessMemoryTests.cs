using MnistDenoise.Runtime;

namespace MnistDenoise.Tests.Runtime;

public class ProcessMemoryTests
{
    [Fact]
    public void Reads_the_peak_and_current_resident_set_on_linux_and_nothing_elsewhere()
    {
        var now = ProcessMemory.ResidentMib();
        var peak = ProcessMemory.PeakResidentMib(); // read second: the peak so far includes `now`
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(peak);
            Assert.Null(now);
            return;
        }
        // A .NET test host holds tens of MiB at least, and the peak is never below what is resident now.
        Assert.InRange(now!.Value, 10, 1e6);
        Assert.True(peak >= now, $"peak {peak} MiB < current {now} MiB");
    }
}
