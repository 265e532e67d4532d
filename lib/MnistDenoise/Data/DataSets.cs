namespace MnistDenoise.Data;

/// <summary>The three splits returned by <see cref="Mnist.ReadDataSets"/>, as in TensorFlow's <c>read_data_sets</c>.</summary>
/// <param name="Train">Training examples (55,000 for MNIST with the default validation size).</param>
/// <param name="Validation">Validation examples: the FIRST <c>validationSize</c> examples of the training file.</param>
/// <param name="Test">Test examples (10,000 for MNIST).</param>
public sealed record DataSets(DataSet Train, DataSet Validation, DataSet Test);
