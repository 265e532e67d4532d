using MnistDenoise.Runtime;

namespace MnistDenoise.Tests.Runtime;

public class CpuPeakTests
{
    // The first processor block of /proc/cpuinfo on the three CPU kinds the project's machines have had.
    // Intel: this VM kind on 2026-11-30 (Emerald Rapids, generic model name, AVX512_BF16, no AMX).
    private const string EmeraldRapids = """
processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model		: 207
model name	: Intel(R) Xeon(R) Processor
stepping	: 2
microcode	: 0x1
cpu MHz		: 2300.000
cache size	: 266240 KB
physical id	: 0
siblings	: 2
core id		: 0
cpu cores	: 2
apicid		: 0
initial apicid	: 0
fpu		: yes
fpu_exception	: yes
cpuid level	: 28
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 arat avx512vbmi umip avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid cldemote movdiri movdir64b fsrm serialize tsxldtrk avx512_fp16 arch_capabilities
bugs		: spectre_v1 spectre_v2 spec_store_bypass swapgs retbleed bhi spectre_v2_user its
bogomips	: 4600.00
clflush size	: 64
cache_alignment	: 64
address sizes	: 48 bits physical, 57 bits virtual
power management:

processor	: 1
vendor_id	: GenuineIntel
cpu family	: 6
model		: 143
model name	: must not be read: only the first block counts
flags		: fpu avx2 fma avx512f amx_bf16
""";

    // AMD Zen 4 (EPYC Genoa, family 0x19 model 0x11): AVX-512 with AVX512_BF16, on 256-bit FMA pipes.
    private const string Zen4 = """
processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 17
model name	: AMD EPYC 9R14 96-Core Processor
stepping	: 1
cpu MHz		: 3699.996
cache size	: 1024 KB
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch topoext perfctr_core invpcid_single ssbd ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx512_bf16 clzero xsaveerptr rdpru wbnoinvd arat avx512vbmi pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid fsrm
bugs		: sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso
bogomips	: 7399.99

processor	: 1
vendor_id	: AuthenticAMD
""";

    // AMD Zen 5 (EPYC Turin, family 0x1A model 0x02): full-width 512-bit FMA pipes; a VM's generic model name.
    private const string Zen5 = """
processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 26
model		: 2
model name	: AMD EPYC Processor
stepping	: 1
cpu MHz		: 2599.998
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch topoext ssbd ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 clzero xsaveerptr wbnoinvd arat avx512vbmi pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid movdiri movdir64b fsrm avx512_vp2intersect
""";

    // AMD Zen 3 (EPYC Milan): AVX2 only, no bf16 arithmetic.
    private const string Zen3 = """
processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 1
model name	: AMD EPYC 7B13
flags		: fpu sse sse2 avx fma avx2 sha_ni
""";

    // Intel Sapphire Rapids with AMX exposed, and a model name that carries its nominal clock.
    private const string SapphireRapidsAmx = """
processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model		: 143
model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
cpu MHz		: 2699.998
flags		: fpu sse sse2 avx fma avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8
""";

    [Fact]
    public void Parses_the_first_processor_block_of_an_intel_vm()
    {
        var cpu = CpuInfo.Parse(EmeraldRapids);
        Assert.Equal("GenuineIntel", cpu.Vendor);
        Assert.Equal(6, cpu.Family);
        Assert.Equal(207, cpu.Model);
        Assert.Equal("Intel(R) Xeon(R) Processor", cpu.ModelName);
        Assert.Equal(2300.0, cpu.MHz);
        Assert.Contains("avx512_bf16", cpu.Flags);
        Assert.DoesNotContain("amx_bf16", cpu.Flags); // that flag is in the second block only
        Assert.Null(cpu.ModelNameGHz);
        Assert.Equal("Intel family 6 model 207 (0xCF)", cpu.Signature);
    }

    [Fact]
    public void Emerald_rapids_has_two_512_bit_fma_units_and_bf16_dot_products()
    {
        var peak = CpuPeak.PerCore(CpuInfo.Parse(EmeraldRapids));
        Assert.Equal("Emerald Rapids", peak.Microarchitecture);
        Assert.Equal((2, 512), (peak.FmaPipes, peak.PipeBits));
        Assert.Equal(64, peak.Fp32FlopsPerCycle);   // 2 pipes × 16 lanes × 2
        Assert.Equal(128.0, peak.Bf16FlopsPerCycle); // VDPBF16PS: twice an FMA
        Assert.Contains("Optimization Reference Manual", peak.Source);
    }

    [Fact]
    public void Zen4_runs_512_bit_fmas_as_two_256_bit_halves()
    {
        var cpu = CpuInfo.Parse(Zen4);
        Assert.Equal((25, 17, 3699.996), (cpu.Family, cpu.Model, cpu.MHz!.Value));
        var peak = CpuPeak.PerCore(cpu);
        Assert.Equal("Zen 4", peak.Microarchitecture);
        Assert.Equal(32, peak.Fp32FlopsPerCycle);
        Assert.Equal(64.0, peak.Bf16FlopsPerCycle);
        Assert.Contains("two 256-bit halves", peak.Source);
    }

    [Fact]
    public void Zen5_server_has_full_width_512_bit_fma_pipes()
    {
        var peak = CpuPeak.PerCore(CpuInfo.Parse(Zen5));
        Assert.Equal("Zen 5", peak.Microarchitecture);
        Assert.Equal(64, peak.Fp32FlopsPerCycle);
        Assert.Equal(128.0, peak.Bf16FlopsPerCycle);
    }

    [Fact]
    public void A_cpu_without_bf16_instructions_has_no_bf16_peak()
    {
        var peak = CpuPeak.PerCore(CpuInfo.Parse(Zen3));
        Assert.Equal("Zen 3", peak.Microarchitecture);
        Assert.Equal(32, peak.Fp32FlopsPerCycle);
        Assert.Null(peak.Bf16FlopsPerCycle);
        Assert.True(double.IsNaN(peak.GFlops(2, 3.0).Bf16));
    }

    [Fact]
    public void Amx_tiles_set_the_bf16_peak_and_the_model_name_gives_a_clock()
    {
        var cpu = CpuInfo.Parse(SapphireRapidsAmx);
        Assert.Equal(2.7, cpu.ModelNameGHz);
        var peak = CpuPeak.PerCore(cpu);
        Assert.Equal("Sapphire Rapids", peak.Microarchitecture);
        Assert.Equal(1024.0, peak.Bf16FlopsPerCycle);
        Assert.Contains("AMX", peak.Source);
    }

    [Fact]
    public void Peak_is_cores_times_clock_times_flops_per_cycle()
    {
        var (fp32, bf16) = CpuPeak.PerCore(CpuInfo.Parse(EmeraldRapids)).GFlops(cores: 2, ghz: 2.3);
        Assert.Equal(2 * 2.3 * 64, fp32, 9);
        Assert.Equal(2 * 2.3 * 128, bf16, 9);
    }

    [Fact]
    public void Text_that_is_not_x86_cpuinfo_is_refused_with_what_was_found()
    {
        var e = Assert.Throws<FormatException>(() => CpuInfo.Parse("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n"));
        Assert.Contains("vendor_id", e.Message);
        Assert.Contains("Features", e.Message);
    }

    [Fact]
    public void This_machines_cpu_is_classified_and_its_clock_measured()
    {
        if (CpuInfo.ReadThisMachine() is not { } cpu || !System.Runtime.Intrinsics.X86.Fma.IsSupported) return; // x86 Linux only
        var peak = CpuPeak.PerCore(cpu);
        Assert.DoesNotContain("unknown", peak.Microarchitecture); // a new CPU kind: add it to CpuPeak.PerCore
        var ghz = CpuPeak.MeasureClockGHz(milliseconds: 5, repeats: 3);
        Assert.InRange(ghz, 0.2, 7.0); // a loaded machine reads low, never above any x86 clock
    }
}
