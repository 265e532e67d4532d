namespace MnistDenoise.Data;

/// <summary>Progress of one file's download.</summary>
/// <param name="FileName">The file being downloaded (e.g. <c>train-images-idx3-ubyte.gz</c>).</param>
/// <param name="Source">The URL it comes from.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The file's size, when the server announced it.</param>
public sealed record DownloadProgress(string FileName, Uri Source, long BytesReceived, long? TotalBytes);
