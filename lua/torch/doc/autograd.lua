-- torch.doc.autograd — help texts of the autograd parts written in C
-- (src/bind/lua_info.c, lua_meta.c): backward, requires_grad, grad, grad_fn
-- nodes, detach, retain_grad and the grad-mode switches. torch.no_grad and
-- torch.enable_grad are Lua (lua/torch/init.lua).
local M = {}

M["Tensor.backward"] = [=[
x:backward([gradient][, {retain_graph=false}])
Computes the gradient of x with respect to every leaf tensor that requires
grad, and adds it to their .grad. x is usually a scalar loss; for a
non-scalar x give gradient (a tensor of x's size). Gradients ACCUMULATE:
zero them between steps (opt:zero_grad(), or w.grad = nil).
The tensors the graph saved (mul, exp, relu... keep their inputs or
outputs) are freed after the pass: a second backward that needs them fails
unless the first had {retain_graph = true}; one that needs none (sums,
additions, views) runs again. A saved tensor changed in place before
backward (x:add_(1), x[1] = 0, an optimizer step) makes it fail too.
Example:
  local w = torch.ones(2, {requires_grad = true})
  local loss = (w * 3):sum()
  loss:backward()
  w.grad                                  --> tensor([3., 3.])]=]

M["Tensor.requires_grad_"] = [=[
x:requires_grad_([requires_grad=true]) -> x
Turns gradient recording for x on (or off), in place; returns x.
Only leaf tensors (made by you, not computed) can change it.
Example:
  torch.zeros(2):requires_grad_().requires_grad  --> true]=]

M["Tensor.requires_grad"] = [=[
x.requires_grad -> boolean
Whether operations on x are recorded for autograd. Set it on a leaf with
x.requires_grad = true, x:requires_grad_(), or {requires_grad = true} when
creating x; results of operations on such tensors require grad too.
Example:
  local w = torch.zeros(2, {requires_grad = true})
  (w * 2).requires_grad                   --> true]=]

M["Tensor.grad"] = [=[
x.grad -> Tensor or nil
The gradient accumulated into x by backward() (nil before the first one,
and for non-leaf tensors unless x:retain_grad() was called). Assignable:
x.grad = nil clears it (as PyTorch's zero_grad(set_to_none=True)).
Example:
  local w = torch.ones(2, {requires_grad = true})
  w.grad                                  --> nil
  (w * w):sum():backward()
  w.grad                                  --> tensor([2., 2.])]=]

M["Tensor.grad_fn"] = [=[
x.grad_fn -> torch.Node or nil
The node of the autograd graph that made x (nil for leaves): its name is
PyTorch's ("AddBackward0", "MulBackward0", ...); grad_fn.next_functions
leads to the nodes of the inputs (help("torch.Node")).
Example:
  local w = torch.ones(2, {requires_grad = true})
  (w * 2):sum().grad_fn                   --> <SumBackward0>]=]

M["Tensor.is_leaf"] = [=[
x.is_leaf -> boolean
Whether x was made by you rather than computed by a recorded operation
(x.grad_fn == nil). backward() fills .grad only on leaves.
Example:
  local w = torch.ones(2, {requires_grad = true})
  w.is_leaf, (w * 2).is_leaf              --> true, false]=]

M["Tensor.detach"] = [=[
x:detach() -> Tensor
x's values (sharing storage) cut off from the autograd graph: no grad_fn,
requires_grad false. Use it to keep a value without its history.
Example:
  local w = torch.ones(2, {requires_grad = true})
  (w * 2):detach().requires_grad          --> false]=]

M["Tensor.detach_"] = [=[
x:detach_() -> x
Cuts x itself off the autograd graph, in place (not for views: use detach).
Example:
  local y = torch.ones(2, {requires_grad = true}) * 2
  y:detach_().requires_grad               --> false]=]

M["Tensor.retain_grad"] = [=[
x:retain_grad()
Asks backward() to keep the gradient of this non-leaf tensor in x.grad
(normally only leaves get one).
Example:
  local w = torch.ones(2, {requires_grad = true})
  local h = w * 2
  h:retain_grad()
  h:sum():backward()
  h.grad                                  --> tensor([1., 1.])]=]

M["torch.set_grad_enabled"] = [=[
torch.set_grad_enabled(enabled) -> boolean
Turns gradient recording on or off for what follows; returns the previous
setting. torch.no_grad(fn) / torch.enable_grad(fn) scope it for you.
Example:
  local before = torch.set_grad_enabled(false)
  torch.is_grad_enabled()                 --> false
  torch.set_grad_enabled(before)]=]

M["torch.is_grad_enabled"] = [=[
torch.is_grad_enabled() -> boolean
Whether operations are being recorded for autograd now (false inside
torch.no_grad).
Example:
  torch.is_grad_enabled()                 --> true
  torch.no_grad(torch.is_grad_enabled)    --> false]=]

M["torch.Node"] = [=[
torch.Node (x.grad_fn)
A node of the autograd graph: the operation that made a tensor, as in
PyTorch. tostring gives "<MulBackward0>"; node:name() the name;
node.next_functions the list of {node, 0} pairs of its inputs
(AccumulateGrad nodes for leaves, false for inputs without grad); an
AccumulateGrad node's .variable is its leaf tensor. To see a whole graph:
require("torchviz").print(loss), or torchviz.make_dot(loss):render(path).
Example:
  local w = torch.ones(2, {requires_grad = true})
  local loss = (w * w):sum()
  loss.grad_fn:name()                     --> SumBackward0
  loss.grad_fn.next_functions[1][1]       --> <MulBackward0>]=]

M["torch.Node.name"] = [=[
node:name() -> string
The name of the operation, as PyTorch's: "AddBackward0", "AccumulateGrad"...
Example:
  local w = torch.ones(2, {requires_grad = true})
  (w + 1).grad_fn:name()                  --> AddBackward0]=]

M["torch.Node.next_functions"] = [=[
node.next_functions -> table
The nodes of the operation's inputs, as a list of {node, 0} pairs, in
PyTorch's order: AccumulateGrad for a leaf that requires grad, false for an
input that needs no gradient.
Example:
  local w = torch.ones(2, {requires_grad = true})
  (w * 2).grad_fn.next_functions[1][1]    --> <AccumulateGrad>]=]

M["torch.Node.variable"] = [=[
node.variable -> Tensor
For an AccumulateGrad node: the leaf tensor whose .grad it fills.
Example:
  local w = torch.ones(2, {requires_grad = true})
  local acc = (w * 2).grad_fn.next_functions[1][1]
  acc.variable.is_leaf                    --> true]=]

return M
