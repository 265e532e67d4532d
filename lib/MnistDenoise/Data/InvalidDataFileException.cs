namespace MnistDenoise.Data;

/// <summary>
/// A data file is unreadable: not IDX, truncated, or not the expected content.
/// The message names the file, says what is wrong and what to do about it.
/// (<see cref="InvalidDataException"/> is sealed, hence an <see cref="IOException"/>.)
/// </summary>
public sealed class InvalidDataFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>; <paramref name="problem"/> completes "Data file '...' ...".</summary>
    public InvalidDataFileException(string filePath, string problem, Exception? innerException = null)
        : base(
            $"Data file '{filePath}' {problem}. Delete it so that it is downloaded again, " +
            $"or fetch a fresh copy of '{Path.GetFileName(filePath)}' and place it in '{Path.GetDirectoryName(filePath)}'.",
            innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that could not be used.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file, without the advice.</summary>
    public string Problem { get; }
}
