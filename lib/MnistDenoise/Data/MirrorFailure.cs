namespace MnistDenoise.Data;

/// <summary>Why one mirror could not deliver a file.</summary>
/// <param name="Url">The URL that was tried.</param>
/// <param name="Reason">What went wrong (HTTP status, timeout, checksum mismatch, ...).</param>
public sealed record MirrorFailure(Uri Url, string Reason);
