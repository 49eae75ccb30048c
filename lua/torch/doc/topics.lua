-- torch.doc.topics — the topics help() lists and help("TOPIC") shows: a
-- title, a short introduction and the names it covers (each shown with its
-- one-line summary, which ember.help takes from the name's own doc). The
-- elementwise ops in these lists come from the op table's rows
-- (src/core/op_table.h, torch.core._ops): ops(flag, prefix, suffix, extra).

-- The names of the rows with flag set ("method", "inplace", "F", "nn"),
-- as prefix .. name .. suffix, in table order, then the extra names.
local function ops(flag, prefix, suffix, extra)
  local out = {}
  for _, row in ipairs(require("torch.core")._ops) do
    if row[flag] then out[#out + 1] = prefix .. (flag == "nn" and row.nn or row.name) .. suffix end
  end
  for _, name in ipairs(extra or {}) do out[#out + 1] = name end
  return out
end

return {
  {id = "tensors", title = "Creating tensors",
   intro = [=[
Tensors are made from Lua tables or by size. Sizes may be integers or one
table; options go in a trailing table: {dtype = torch.int64,
requires_grad = true}. Integers give int64 tensors, floats float32.]=],
   names = {"torch.tensor", "torch.zeros", "torch.ones", "torch.empty", "torch.full", "torch.arange",
            "torch.linspace", "torch.eye", "torch.zeros_like", "torch.ones_like", "torch.full_like",
            "torch.empty_like", "torch.logspace"}},

  {id = "random", title = "Random numbers and seeds",
   intro = [=[
The numbers are PyTorch 1.13's for the same seed. An unseeded ember starts
from a fixed seed, so scripts are repeatable; torch.manual_seed(s) chooses.]=],
   names = {"torch.manual_seed", "torch.rand", "torch.randn", "torch.randint", "torch.randperm",
            "torch.rand_like", "torch.randn_like", "torch.bernoulli", "Tensor.uniform_", "Tensor.normal_",
            "Tensor.bernoulli_", "torch.normal", "torch.randint_like", "torch.Generator", "torch.initial_seed", "torch.get_rng_state",
            "torch.set_rng_state", "torch.default_generator"}},

  {id = "inspect", title = "Looking at a tensor: size, dtype, values",
   intro = [=[
print(x) shows a tensor as PyTorch does. Sizes and positions are 1-based:
x:size(1) is the first dim.]=],
   names = {"Tensor.size", "Tensor.shape", "Tensor.dim", "Tensor.numel", "Tensor.dtype", "Tensor.device",
            "Tensor.item", "Tensor.tolist", "Tensor.stride", "Tensor.is_contiguous", "Tensor.storage_offset",
            "Tensor.is_floating_point", "Tensor.element_size", "torch.is_tensor", "torch.Size"}},

  {id = "dtypes", title = "dtypes, conversions and devices",
   intro = [=[
float32 is the default; integer tensors are int64 as in PyTorch. ember
computes on the CPU.]=],
   names = {"torch.dtype", "Tensor.to", "Tensor.float", "Tensor.double", "Tensor.long", "Tensor.int",
            "Tensor.byte", "Tensor.bool", "Tensor.type", "torch.get_default_dtype", "torch.set_default_dtype", "torch.device",
            "Tensor.cpu", "torch.cuda.is_available"}},

  {id = "math", title = "Elementwise math and comparisons",
   intro = [=[
Operators + - * / ^ and unary - work on tensors and numbers, broadcasting
as in PyTorch. Comparisons are methods (x:eq(y)): Lua's == compares the
objects. Each method also exists as torch.NAME(x, ...).]=],
   names = ops("method", "Tensor.", "", {"Tensor.logical_not", "torch.where", "Tensor.isnan", "Tensor.isinf",
                                         "Tensor.isposinf", "Tensor.isneginf", "Tensor.isfinite", "Tensor.isclose",
                                         "torch.allclose", "Tensor.nan_to_num", "Tensor.lerp"})},

  {id = "inplace", title = "In-place operations (trailing underscore)",
   intro = [=[
x:add_(y) changes x and returns it. On a leaf tensor that requires grad
they are refused outside torch.no_grad, as in PyTorch.]=],
   names = ops("inplace", "Tensor.", "_", {"Tensor.fill_", "Tensor.zero_", "Tensor.copy_", "Tensor.uniform_",
                                         "Tensor.normal_"})},

  {id = "reductions", title = "Reductions: sum, mean, max, argmax, ...",
   intro = [=[
Without a dim they reduce everything to a 0-dim tensor; dim is 1-based
(-1 = last) or a table of dims; keepdim keeps size-1 dims. Indices that
max/argmax return are 0-based, as in PyTorch.]=],
   names = {"Tensor.sum", "Tensor.mean", "Tensor.prod", "Tensor.var", "Tensor.std", "Tensor.max",
            "Tensor.min", "Tensor.argmax", "Tensor.argmin", "Tensor.all", "Tensor.any", "Tensor.amax",
            "Tensor.amin", "Tensor.logsumexp", "Tensor.cumsum", "Tensor.cumprod", "Tensor.count_nonzero",
            "Tensor.norm", "torch.linalg.vector_norm", "torch.linalg.matrix_norm", "torch.std_mean",
            "torch.var_mean"}},

  {id = "sorting", title = "Sorting and counting: sort, topk, unique, ...",
   intro = [=[
sort, topk, kthvalue and median return values and their 0-based int64
positions; NaN sorts as the largest value, and among equal values the
position is the one PyTorch 1.13 picks. unique, bincount and histc count.]=],
   names = {"Tensor.sort", "Tensor.msort", "Tensor.argsort", "Tensor.topk", "Tensor.kthvalue",
            "Tensor.median", "Tensor.unique", "torch.searchsorted", "torch.bucketize", "Tensor.bincount",
            "Tensor.histc"}},

  {id = "linalg", title = "Matrix products",
   intro = [=[
x * y is elementwise; matrix products are methods or torch functions.]=],
   names = {"Tensor.matmul", "Tensor.mm", "Tensor.bmm", "Tensor.mv", "Tensor.dot", "torch.linear",
            "Tensor.addmm", "Tensor.baddbmm", "torch.outer", "torch.einsum"}},

  {id = "shapes", title = "Shapes and views",
   intro = [=[
Views share storage with their input (writing one changes the other);
dims are 1-based.]=],
   names = {"Tensor.view", "Tensor.reshape", "Tensor.flatten", "Tensor.unsqueeze", "Tensor.squeeze",
            "Tensor.transpose", "Tensor.t", "Tensor.permute", "Tensor.T", "Tensor.expand", "Tensor.expand_as",
            "Tensor.view_as", "Tensor.reshape_as", "Tensor.contiguous", "Tensor.clone", "torch.cat",
            "torch.stack",
            "Tensor.chunk", "Tensor.split", "Tensor.tensor_split", "Tensor.flip", "Tensor.roll", "Tensor.tile",
            "Tensor.repeat", "Tensor.repeat_interleave", "Tensor.tril", "Tensor.triu", "Tensor.diagonal",
            "Tensor.diag", "Tensor.trace", "torch.meshgrid", "torch.cartesian_prod"}},

  {id = "indexing", title = "Indexing and selecting",
   intro = [=[
Positions you type are 1-based (x[1], narrow, select); index TENSORS are
data and 0-based, as in PyTorch (index_select, gather, labels).]=],
   names = {"Tensor.indexing", "Tensor.select", "Tensor.narrow", "Tensor.index_select", "Tensor.gather",
            "Tensor.scatter_add", "torch.where",
            "Tensor.masked_fill", "Tensor.masked_fill_", "Tensor.masked_select", "Tensor.nonzero"}},

  {id = "autograd", title = "Autograd: gradients",
   intro = [=[
Tensors created with {requires_grad = true} record the operations done on
them; loss:backward() adds d(loss)/d(tensor) into each one's .grad.
Gradients accumulate: zero them every step.]=],
   names = {"Tensor.requires_grad", "Tensor.requires_grad_", "Tensor.backward", "Tensor.grad",
            "Tensor.grad_fn", "Tensor.is_leaf", "Tensor.detach", "Tensor.detach_", "Tensor.retain_grad",
            "Tensor.data", "torch.no_grad", "torch.enable_grad", "torch.set_grad_enabled",
            "torch.is_grad_enabled", "torch.autograd.backward", "torch.autograd.gradcheck", "torch.Node",
            "torch.autograd.grad", "torch.autograd.explain", "Tensor.register_hook",
            "torch.autograd.set_detect_anomaly", "torch.autograd.detect_anomaly",
            "torch.autograd.is_anomaly_enabled"}},

  {id = "modules", title = "Models: nn.Module",
   intro = [=[
A model is a class made with nn.Module:extend("Name"): __init calls
nn.Module.__init(self) first and assigns layers and nn.Parameter(t) to
fields (which registers them); forward(x) computes; model(x) calls it.]=],
   names = {"nn.Module", "nn.Parameter", "nn.Sequential", "nn.Module.parameters", "nn.Module.named_parameters",
            "nn.Module.children", "nn.Module.modules", "nn.Module.train", "nn.Module.eval",
            "nn.Module.zero_grad", "nn.Module.state_dict", "nn.Module.load_state_dict", "nn.Module.to",
            "nn.Module.apply", "nn.init",
            "nn.ModuleList", "nn.ModuleDict", "nn.ParameterList"}},

  {id = "layers", title = "Layers (nn.*)",
   intro = [=[
Layers are modules: make one, then call it on a batch, layer(x). Inputs
have the batch in dim 1.]=],
   names = {"nn.Linear", "nn.Conv2d", "nn.BatchNorm1d", "nn.BatchNorm2d", "nn.MaxPool2d",
            table.unpack(ops("nn", "nn.", "", {"nn.Softmax", "nn.LogSoftmax", "nn.Dropout", "nn.Flatten",
                                               "nn.Identity", "nn.Sequential",
                                               "nn.LayerNorm", "nn.GroupNorm", "nn.Embedding", "nn.Softmin",
                                               "nn.Unflatten"}))}},

  {id = "losses", title = "Loss functions",
   intro = [=[
A loss compares a model's output with the target; {reduction = "mean"}
(default), "sum" or "none". Class labels are 0-based int64 tensors.]=],
   names = {"nn.MSELoss", "nn.L1Loss", "nn.CrossEntropyLoss", "nn.NLLLoss", "nn.BCEWithLogitsLoss",
            "nn.functional.mse_loss", "nn.functional.l1_loss", "nn.functional.cross_entropy",
            "nn.functional.nll_loss", "nn.functional.binary_cross_entropy_with_logits",
            "nn.BCELoss", "nn.SmoothL1Loss", "nn.HuberLoss", "nn.KLDivLoss", "nn.CosineEmbeddingLoss",
            "nn.MarginRankingLoss", "nn.TripletMarginLoss", "nn.functional.binary_cross_entropy",
            "nn.functional.smooth_l1_loss", "nn.functional.huber_loss", "nn.functional.kl_div",
            "nn.functional.cosine_embedding_loss", "nn.functional.margin_ranking_loss",
            "nn.functional.triplet_margin_loss"}},

  {id = "functional", title = "nn.functional (F) and nn.init",
   intro = [=[
F holds the stateless forms of the layers and losses; nn.init fills
parameters in place (PyTorch's initialisers).]=],
   names = ops("F", "nn.functional.", "", {"nn.functional.softmax", "nn.functional.log_softmax", "nn.functional.linear", "nn.functional.conv2d",
            "nn.functional.max_pool2d", "nn.functional.batch_norm", "nn.functional.dropout",
            "torch.avg_pool2d", "nn.init.kaiming_uniform_", "nn.init.xavier_uniform_", "nn.init.uniform_",
            "nn.init.normal_", "nn.init.zeros_", "nn.init.ones_", "nn.init.constant_",
            "nn.init.calculate_gain",
            "nn.functional.layer_norm", "nn.functional.group_norm", "nn.functional.embedding",
            "nn.functional.softmin", "nn.functional.one_hot", "nn.functional.normalize",
            "nn.functional.cosine_similarity", "nn.functional.pairwise_distance"})},

  {id = "optim", title = "Optimizers and learning-rate schedules",
   intro = [=[
The training step: opt:zero_grad(); loss:backward(); opt:step(). Steps,
state and state_dict files match PyTorch's exactly.]=],
   names = {"optim.SGD", "optim.Adam", "optim.AdamW", "optim.RMSprop", "optim.Adagrad", "optim.Adadelta",
            "optim.Adamax", "optim.NAdam", "optim.RAdam", "optim.LBFGS",
            "optim.Optimizer.zero_grad", "optim.Optimizer.step",
            "optim.Optimizer.state_dict", "optim.Optimizer.load_state_dict", "optim.Optimizer.add_param_group",
            "optim.lr_scheduler.StepLR", "optim.lr_scheduler.MultiStepLR", "optim.lr_scheduler.ExponentialLR",
            "optim.lr_scheduler.CosineAnnealingLR", "optim.lr_scheduler.CosineAnnealingWarmRestarts",
            "optim.lr_scheduler.LambdaLR", "optim.lr_scheduler.MultiplicativeLR", "optim.lr_scheduler.LinearLR",
            "optim.lr_scheduler.ConstantLR", "optim.lr_scheduler.PolynomialLR", "optim.lr_scheduler.OneCycleLR",
            "optim.lr_scheduler.CyclicLR", "optim.lr_scheduler.SequentialLR", "optim.lr_scheduler.ChainedScheduler",
            "optim.lr_scheduler.ReduceLROnPlateau"}},

  {id = "data", title = "Data: datasets and loaders (global `data`)",
   intro = [=[
A dataset is anything with #ds and ds:get(i) (1-based i). A DataLoader
cuts it into batches: for x, y in loader do ... end is one epoch.]=],
   names = {"data.TensorDataset", "data.DataLoader", "data.default_collate", "torch.datasets.MNIST",
            "torch.datasets.FashionMNIST", "torch.io.read_idx", "torch.io.write_idx"}},

  {id = "plot", title = "Plots (global `plot`, drawn by gnuplot)",
   intro = [=[
Loss curves and simple line or scatter plots: in the terminal, or to a PNG
or SVG file with file = "name.png".]=],
   names = {"plot.losses", "plot.line", "plot.scatter", "plot.figure", "plot.live"}},

  {id = "files", title = "Saving and loading",
   intro = [=[
Files are PyTorch's: what ember saves, PyTorch loads, and the other way
round. Loading never runs code from a file.]=],
   names = {"torch.save", "torch.load", "torch.save_safetensors", "torch.load_safetensors",
            "nn.Module.state_dict", "nn.Module.load_state_dict", "torch.OrderedDict", "torch.dict",
            "torch.tuple"}},

  {id = "checkpoint", title = "Checkpoints: stop and resume training exactly",
   intro = [=[
torch.checkpoint saves a model, optimizer, scheduler, data loader position
and the RNG state together, so training resumes as if never stopped.]=],
   names = {"torch.checkpoint.save", "torch.checkpoint.load", "torch.checkpoint.save_rotating",
            "torch.checkpoint.list", "torch.checkpoint.latest"}},

  {id = "printing", title = "Printing",
   intro = [=[
print(x) and tostring(x) show tensors in PyTorch's format (the same
digits); print(model) shows the module tree.]=],
   names = {"torch.set_printoptions", "Tensor.item", "Tensor.tolist"}},

  {id = "memory", title = "Memory",
   intro = [=[
Tensors are freed when Lua's garbage collector finds them unused; write
`local x <close> = ...` to free a big one at the end of its scope.]=],
   names = {"torch.memory_allocated", "torch.max_memory_allocated"}},
}
