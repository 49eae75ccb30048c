-- title: Export a CNN to ONNX with a free batch size
-- lesson: sharing-models
-- hint: torch.onnx.export(model, example, path, {input_names = {"image"}, output_names = {"logits"},
-- hint:   dynamic_axes = {image = {"batch"}, logits = {"batch"}}}) — dims are 1-based, so {"batch"} names dim 1.
-- hint: The example input is one image shaped like the model expects: torch.zeros(1, 1, 28, 28).
--
-- Export the lesson-10 CNN to "cnn.onnx" with the input named "image", the
-- output named "logits", and dim 1 (the batch) of both free, called "batch".
torch.manual_seed(0)
local model = nn.Sequential(
  nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(3136, 256), nn.Dropout(0.5), nn.Linear(256, 10))
-- BEGIN SOLUTION
--starter -- TODO: torch.onnx.export(model, ..., "cnn.onnx", {...})
torch.onnx.export(model, torch.zeros(1, 1, 28, 28), "cnn.onnx", {
  input_names = {"image"}, output_names = {"logits"},
  dynamic_axes = {image = {"batch"}, logits = {"batch"}},
})
-- END SOLUTION
local ok, d = pcall(torch.onnx.describe, "cnn.onnx")
check(ok, "write the ONNX file cnn.onnx with torch.onnx.export")
local g = d.graph
local ops = {}
for _, n in ipairs(g.nodes) do ops[#ops + 1] = n.op_type end
check(table.concat(ops, " ") == "Conv BatchNormalization Relu MaxPool Conv BatchNormalization Relu MaxPool Flatten Gemm Gemm",
  "the graph should hold the CNN's layers (Dropout disappears in eval mode); got " .. table.concat(ops, " "))
check(g.inputs[1].name == "image" and g.outputs[1].name == "logits", "name the input \"image\" and the output \"logits\"")
check(g.inputs[1].shape[1] == "batch", "make dim 1 of the input free: dynamic_axes = {image = {\"batch\"}, ...}")
check(g.outputs[1].shape[1] == "batch", "make dim 1 of the output free too: logits = {\"batch\"}")
check(g.inputs[1].shape[2] == 1 and g.inputs[1].shape[3] == 28, "the other input dims stay fixed: 1 x 28 x 28")
