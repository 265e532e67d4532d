// The shared library of the MNIST denoising-autoencoder tutorial.
// Data flows one way: Data -> Corruption -> Model -> Training -> Evaluation.
