-- The lessons, in order. ids are stable (progress is keyed by them): never
-- rename one; `ember lesson 3` means the third entry. `needs` lists what a
-- lesson requires ("gnuplot", "cuda", "torch-python"); `ember lesson test`
-- skips a lesson, with the reason, when a need is absent. Format:
-- docs/lessons.md.
return {
  {id = "tensors", file = "01-tensors.md", title = "Tensors"},
  {id = "autograd", file = "02-autograd.md", title = "Autograd"},
  {id = "linear-regression", file = "03-linear-regression.md", title = "Linear regression, the complete workflow"},
  {id = "loss-curves", file = "04-loss-curves.md", title = "The training loop and loss curves", needs = {"gnuplot"}},
  {id = "inference", file = "05-inference.md", title = "Inference"},
  {id = "save-load", file = "06-save-load.md", title = "Saving and loading a state_dict"},
  {id = "checkpoints", file = "07-checkpoints.md", title = "Checkpoints and resuming"},
  {id = "devices", file = "08-devices.md", title = "Device-agnostic code"},
  {id = "mnist-mlp", file = "09-mnist-mlp.md", title = "MNIST with an MLP"},
  {id = "mnist-cnn", file = "10-mnist-cnn.md", title = "MNIST with a CNN"},
  {id = "file-formats", file = "11-file-formats.md", title = "File formats and safety"},
  {id = "model-summary", file = "12-model-summary.md", title = "Knowing your model"},
  {id = "sharing-models", file = "13-sharing-models.md", title = "Models out into the world"},
}
