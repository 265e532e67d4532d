namespace MnistDenoise.Data;

/// <summary>
/// Entry point mirroring TensorFlow's <c>input_data.read_data_sets</c>
/// (<c>tensorflow.contrib.learn.python.learn.datasets.mnist</c>).
/// </summary>
public static class Mnist
{
    /// <summary>TF's default number of training examples held out for validation.</summary>
    public const int DefaultValidationSize = 5000;

    /// <summary>
    /// Reads the dataset from <paramref name="trainDir"/>, downloading missing files first, and splits it like TF:
    /// validation is the FIRST <paramref name="validationSize"/> training examples, train the rest
    /// (<c>validation_images = train_images[:validation_size]</c>, <c>train_images = train_images[validation_size:]</c>).
    /// With MNIST's defaults: 55,000 train, 5,000 validation, 10,000 test.
    /// </summary>
    /// <param name="trainDir">Folder holding the four files, each as <c>name.gz</c> or raw <c>name</c>; created if missing.</param>
    /// <param name="oneHot">Whether batches carry one-hot labels.</param>
    /// <param name="reshape">Whether images are [N, 784] (true) or [N, 28, 28, 1] (false).</param>
    /// <param name="validationSize">Training examples held out for validation, 0 to the number of training examples.</param>
    /// <param name="seed">Seed of the batch shuffling of each split; <c>null</c> for a different order each run.</param>
    /// <param name="spec">The dataset; <see cref="DatasetSpec.Mnist"/> by default.</param>
    /// <param name="mirrors">Base URLs to download from instead of the spec's; plain-HTTP ones are allowed here (only HTTPS otherwise).</param>
    /// <param name="progress">Receives download progress.</param>
    /// <param name="cancellationToken">Stops a download promptly (its temporary file is deleted); reading local files is not interrupted.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationSize"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during a download.</exception>
    /// <exception cref="DownloadFailedException">A missing file could not be downloaded.</exception>
    /// <exception cref="InvalidDataFileException">A file is damaged or not the expected one.</exception>
    public static DataSets ReadDataSets(
        string trainDir,
        bool oneHot = false,
        bool reshape = true,
        int validationSize = DefaultValidationSize,
        int? seed = null,
        DatasetSpec? spec = null,
        IReadOnlyList<Uri>? mirrors = null,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(trainDir);
        ArgumentOutOfRangeException.ThrowIfNegative(validationSize);
        spec ??= DatasetSpec.Mnist;

        if (spec.Files.Any(f => f.Locate(trainDir) is null))
        {
            // Blocking is safe: the downloader never resumes on the caller's synchronization context.
            // Mirrors the caller names may be plain HTTP (the user chose them); the spec's built-in ones must be HTTPS.
            new DatasetDownloader { AllowHttp = mirrors is not null }
                .DownloadMissingAsync(trainDir, spec.Files, mirrors ?? spec.Mirrors, progress, cancellationToken)
                .GetAwaiter().GetResult();
        }

        (IdxImages trainImages, byte[] trainLabels) = Read(trainDir, spec.TrainImages, spec.TrainLabels);
        if (validationSize > trainImages.Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(validationSize), validationSize,
                $"The validation size must be between 0 and the number of training examples ({trainImages.Count}).");
        }

        (IdxImages testImages, byte[] testLabels) = Read(trainDir, spec.TestImages, spec.TestLabels);

        int pixelsHeld = validationSize * trainImages.ImageSize;
        return new DataSets(
            Train: Split(trainImages, trainImages.Pixels.AsSpan(pixelsHeld), trainLabels.AsSpan(validationSize)),
            Validation: Split(trainImages, trainImages.Pixels.AsSpan(0, pixelsHeld), trainLabels.AsSpan(0, validationSize)),
            Test: Split(testImages, testImages.Pixels, testLabels));

        DataSet Split(IdxImages images, ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels) =>
            DataSet.FromBytes(pixels, labels, images.Rows, images.Columns, oneHot, reshape, seed);
    }

    private static (IdxImages Images, byte[] Labels) Read(string directory, DatasetFile imagesFile, DatasetFile labelsFile)
    {
        string imagesPath = Locate(directory, imagesFile);
        string labelsPath = Locate(directory, labelsFile);
        IdxImages images = IdxReader.ReadImages(imagesPath, imagesFile.Sha256);
        byte[] labels = IdxReader.ReadLabels(labelsPath, labelsFile.Sha256);
        if (labels.Length != images.Count)
        {
            throw new InvalidDataFileException(
                labelsPath, $"holds {labels.Length} labels but '{imagesPath}' holds {images.Count} images");
        }

        int badLabel = DataSet.IndexOfBadLabel(labels);
        if (badLabel >= 0)
        {
            throw new InvalidDataFileException(
                labelsPath, $"holds label {labels[badLabel]} at index {badLabel}; labels must be below {DataSet.NumClasses}");
        }

        return (images, labels);
    }

    private static string Locate(string directory, DatasetFile file) =>
        file.Locate(directory) ?? throw new FileNotFoundException(
            $"Neither '{file.GzipName}' nor '{file.Name}' is in '{directory}'.", Path.Combine(directory, file.GzipName));
}
