namespace MnistDenoise.Training;

/// <summary>
/// A setting outside its valid values: which property, the value given and what is allowed.
/// <see cref="TrainingOptions.FindProblem"/> returns it; <see cref="TrainingOptions.Validate"/> throws it as an
/// <see cref="ArgumentOutOfRangeException"/> whose <see cref="ArgumentException.ParamName"/> is <see cref="Property"/>.
/// A front end that has its own names for the settings words it with <see cref="Describe"/>.
/// </summary>
/// <param name="Property">The <see cref="TrainingOptions"/> property, e.g. <c>nameof(TrainingOptions.BatchSize)</c>.</param>
/// <param name="Value">The value given.</param>
/// <param name="Allowed">The valid values and why, as a sentence, e.g. "use 1 to 60000 (the tutorial uses 200)."</param>
public sealed record OptionProblem(string Property, object? Value, string Allowed)
{
    /// <summary>"<paramref name="name"/> = value is out of range: " and <see cref="Allowed"/> (text values in quotes).</summary>
    public string Describe(string name) => $"{name} = {(Value is string text ? $"'{text}'" : Value)} is out of range: {Allowed}";

    /// <summary>The problem in the library's own words: <see cref="Describe"/> with the property's name.</summary>
    public override string ToString() => Describe(Property);

    /// <summary>The exception <see cref="TrainingOptions.Validate"/> throws for it.</summary>
    public ArgumentOutOfRangeException ToException() => new(Property, Value, ToString());
}
