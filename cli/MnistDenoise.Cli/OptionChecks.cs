using System.CommandLine;
using System.CommandLine.Parsing;
using MnistDenoise.Corruption;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>Validators for options: each rejects a value with the option's name and what to pass instead (exit code 2).</summary>
internal static class OptionChecks
{
    /// <summary>Rejects values outside <paramref name="range"/> (the library's limits, or the command line's own).</summary>
    public static Option<T> Range<T>(this Option<T> option, ValueRange<T> range) where T : IComparable<T> =>
        option.Range(range, r => (true, r.GetValueOrDefault<T>()));

    /// <summary>Same as <see cref="Range{T}(Option{T}, ValueRange{T})"/> for an option that may be left unset.</summary>
    public static Option<T?> Range<T>(this Option<T?> option, ValueRange<T> range) where T : struct, IComparable<T> =>
        option.Range(range, r => r.GetValueOrDefault<T?>() is { } value ? (true, value) : (false, default));

    /// <summary>Same as <see cref="Range{T}(Option{T}, ValueRange{T})"/> with the range given inline (the bench's options).</summary>
    public static Option<T> Range<T>(this Option<T> option, T min, T max, string hint) where T : IComparable<T> =>
        option.Range(new ValueRange<T>(min, max, hint));

    private static Option<TOption> Range<TOption, T>(this Option<TOption> option, ValueRange<T> range, Func<OptionResult, (bool Set, T Value)> read)
        where T : IComparable<T>
    {
        option.Validators.Add(result =>
        {
            (bool Set, T Value) given;
            try { given = read(result); }
            catch (InvalidOperationException) { return; } // not a number: the parser reports that itself
            if (given.Set && !range.Contains(given.Value))
                result.AddError($"{option.Name} must be between {range.Min} and {range.Max}; got {given.Value}.{(range.Hint.Length > 0 ? $" ({range.Hint})" : "")}");
        });
        return option;
    }

    /// <summary>Rejects a folder option that names an existing file (a common slip: --data pointing at one of the .gz files).</summary>
    public static Option<DirectoryInfo> NotAFile(this Option<DirectoryInfo> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<DirectoryInfo>() is { } dir && File.Exists(dir.FullName))
                r.AddError($"{option.Name} must be a folder, but '{dir.FullName}' is a file. Pass the folder that holds it.");
        });
        return option;
    }

    /// <summary>
    /// Rejects a checkpoint option whose path does not exist or is not a regular file (a device such as /dev/zero, a
    /// FIFO that would block forever), with exit code 2 before any data is read.
    /// </summary>
    public static Option<FileInfo> ExistingCheckpoint(this Option<FileInfo> option, string hint)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<FileInfo>() is not { } file) return;
            var problem = RegularFile.Problem(file.FullName);
            if (problem == "does not exist")
                r.AddError($"{option.Name}: no checkpoint at '{file.FullName}'. {hint}");
            else if (problem is not null)
                r.AddError($"{option.Name}: '{file.FullName}' {problem}. {hint}");
        });
        return option;
    }

    /// <summary>
    /// Rejects a spec <see cref="Corruptions.Parse"/> cannot read (or, with <paramref name="lists"/>, a comma-separated
    /// list of specs), naming the option and listing the valid kinds.
    /// </summary>
    public static Option<T> ValidCorruption<T>(this Option<T> option, bool lists = false)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Select(t => t.Value))
            {
                try
                {
                    if (lists) Corruptions.ParseList(token);
                    else Corruptions.Parse(token);
                }
                catch (FormatException e)
                {
                    result.AddError($"{option.Name}: {e.Message}");
                }
            }
        });
        return option;
    }
}
