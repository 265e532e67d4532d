using System.CommandLine;
using System.CommandLine.Parsing;
using MnistDenoise.Inference;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>train's --recipe: the tutorial's settings, or the best ones found in the same budget.</summary>
internal enum TrainRecipe
{
    Tutorial,
    Best,
}

/// <summary>The command line's names for the library's enums: one table each, for parsing and for output.</summary>
internal static class Choices
{
    public static readonly Choice<WeightInit> Init = new((WeightInit.Default, "default"), (WeightInit.Tutorial, "tutorial"), (WeightInit.Glorot, "glorot"));

    public static readonly Choice<Precision> Precision = new((Training.Precision.Float32, "fp32"), (Training.Precision.BFloat16, "bf16"));

    public static readonly Choice<LearningRateSchedule> Schedule = new(
        (LearningRateSchedule.Constant, "constant"), (LearningRateSchedule.WarmupCosine, "warmup-cosine"), (LearningRateSchedule.OneCycle, "one-cycle"));

    public static readonly Choice<ReconstructionLoss> Loss = new(
        (ReconstructionLoss.CrossEntropy, "xent"), (ReconstructionLoss.MeanSquared, "mse"), (ReconstructionLoss.Absolute, "l1"));

    public static readonly Choice<TrainRecipe> Recipe = new((TrainRecipe.Tutorial, "tutorial"), (TrainRecipe.Best, "best"));

    /// <summary>--invert's values, in any case (as the enum's names were accepted before).</summary>
    public static readonly Choice<InvertMode> Invert = new((InvertMode.Auto, "auto"), (InvertMode.Always, "always"), (InvertMode.Never, "never"))
    {
        Comparer = StringComparer.OrdinalIgnoreCase,
    };
}

/// <summary>
/// A closed set of values with the command line's name for each: parses a typed option (an unknown name is refused
/// with the list of valid ones, exit code 2), shows the names in the help and completions, and names a value in output.
/// </summary>
internal sealed class Choice<T> where T : struct, Enum
{
    private readonly (T Value, string Name)[] names;

    /// <summary>The table; the first entry must be <typeparamref name="T"/>'s zero value, the default.</summary>
    public Choice(params (T Value, string Name)[] names)
    {
        if (names.Length == 0 || !names[0].Value.Equals(default(T)))
            throw new ArgumentException($"The first choice must be {typeof(T).Name}'s zero value, the default.", nameof(names));
        this.names = names;
    }

    /// <summary>How a token is matched to a name (exact by default).</summary>
    public StringComparer Comparer { get; init; } = StringComparer.Ordinal;

    /// <summary>The names, in the table's order.</summary>
    public IEnumerable<string> Names => names.Select(n => n.Name);

    /// <summary>The command line's name of <paramref name="value"/>.</summary>
    public string NameOf(T value) => names.Single(n => n.Value.Equals(value)).Name;

    /// <summary>
    /// An option <paramref name="flag"/> of type <typeparamref name="T"/> whose default (the value when it is left out) is
    /// <typeparamref name="T"/>'s zero value, the first name of the table; with <paramref name="alone"/>, the flag may be
    /// given without a value and then means that value. The help shows the default by its name (a default value factory
    /// would show the enum's own name, e.g. Float32 for fp32).
    /// </summary>
    public Option<T> Option(string flag, string description, T? alone = null)
    {
        var option = new Option<T>(flag)
        {
            Description = $"{description} [default: {NameOf(default)}]",
            HelpName = string.Join('|', Names),
            CustomParser = result => result.Tokens.Count == 0 && alone is { } value ? value : Parse(result, flag),
        };
        if (alone is not null) option.Arity = ArgumentArity.ZeroOrOne;
        option.CompletionSources.Add([.. Names]);
        return option;
    }

    private T Parse(ArgumentResult result, string flag)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        foreach (var (value, name) in names)
            if (Comparer.Equals(name, token)) return value;
        result.AddError($"{flag} must be {string.Join(", ", Names.SkipLast(1))} or {names[^1].Name}; got '{token}'.");
        return default;
    }
}
