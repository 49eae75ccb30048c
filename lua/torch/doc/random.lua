-- torch.doc.random — help texts of the random-number functions written in C
-- (src/bind/lua_create.c, lua_generator.c, lua_math.c, lua_nn.c): rand, randn,
-- randint, randperm, bernoulli, uniform_, normal_, seeds, generator states.
return {
  ["torch.rand"] = [=[
torch.rand(size...[, {dtype=, requires_grad=, generator=}]) -> Tensor
Uniform random numbers in [0, 1).
The numbers are bit-identical to PyTorch 1.13's CPU generator for the same
seed. Without torch.manual_seed, ember starts from a fixed seed (PyTorch
from a random one), so a script gives the same numbers every run.
Example:
  torch.manual_seed(0)
  torch.rand(3)                           --> tensor([0.4963, 0.7682, 0.0885])]=],

  ["torch.randn"] = [=[
torch.randn(size...[, {dtype=, requires_grad=, generator=}]) -> Tensor
Random numbers from the standard normal distribution (mean 0, std 1).
The same numbers as PyTorch for the same seed.
Example:
  torch.manual_seed(0)
  torch.randn(3)  --> tensor([ 1.5410, -0.2934, -2.1788])]=],

  ["torch.randint"] = [=[
torch.randint([low=0,] high, size[, {dtype=torch.int64, generator=}]) -> Tensor
Random integers from low (included) to high (excluded); size is a table.
Example:
  torch.manual_seed(0)
  torch.randint(10, {5})                  --> tensor([4, 9, 3, 0, 3])
  torch.randint(1, 7, {3})                --> tensor([4, 2, 2])]=],

  ["torch.randperm"] = [=[
torch.randperm(n[, {dtype=torch.int64, generator=}]) -> Tensor
A random permutation of 0 .. n-1 (0-based: the values are indices, data).
Example:
  torch.manual_seed(0)
  torch.randperm(5)                       --> tensor([4, 0, 1, 3, 2])]=],

  ["torch.rand_like"] = [=[
torch.rand_like(t[, {dtype=, requires_grad=}]) -> Tensor
torch.rand with t's size and dtype (t must be floating point).
Example:
  torch.manual_seed(0)
  torch.rand_like(torch.zeros(2))         --> tensor([0.4963, 0.7682])]=],

  ["torch.randn_like"] = [=[
torch.randn_like(t[, {dtype=, requires_grad=}]) -> Tensor
torch.randn with t's size and dtype (t must be floating point).
Example:
  torch.manual_seed(0)
  torch.randn_like(torch.zeros(2))        --> tensor([ 1.5410, -0.2934])]=],

  ["torch.bernoulli"] = [=[
torch.bernoulli(probs[, {generator=}]) / torch.bernoulli(x, p) -> Tensor
0 or 1 at random: 1 with probability probs[i] (a tensor of probabilities).
With a number p, draws with that probability in x's size and dtype.
Example:
  torch.manual_seed(0)
  torch.bernoulli(torch.full({4}, 0.5))   --> tensor([1., 0., 1., 1.])]=],

  ["Tensor.bernoulli"] = [=[
x:bernoulli([p][, {generator=}]) -> Tensor
A new tensor of x's size and dtype with 1 with probability p, else 0.
Without p, x itself holds the probabilities (as torch.bernoulli(x)).
Example:
  torch.manual_seed(0)
  torch.zeros(3):bernoulli(0.5)           --> tensor([0., 0., 1.])]=],

  ["Tensor.bernoulli_"] = [=[
x:bernoulli_([p=0.5][, {generator=}]) -> x
Fills x in place with 1 with probability p (a number or a tensor of
probabilities), else 0. Refused on a tensor that requires grad (use
torch.no_grad).
Example:
  torch.manual_seed(0)
  torch.zeros(4):bernoulli_(0.5)          --> tensor([0., 0., 1., 0.])]=],

  ["Tensor.uniform_"] = [=[
x:uniform_([from=0[, to=1]][, {generator=}]) -> x
Fills x in place with uniform random numbers in [from, to).
Used by nn.init; on a parameter, wrap it in torch.no_grad (in-place changes
of a leaf that requires grad are refused, as in PyTorch).
Example:
  torch.manual_seed(0)
  torch.empty(3):uniform_(-1, 1)  --> tensor([-0.0075,  0.5364, -0.8230])]=],

  ["Tensor.normal_"] = [=[
x:normal_([mean=0[, std=1]][, {generator=}]) -> x
Fills x in place with normal random numbers of the given mean and std.
Example:
  torch.manual_seed(0)
  torch.empty(3):normal_(0, 2)  --> tensor([ 3.0820, -0.5869, -4.3576])]=],

  ["torch.manual_seed"] = [=[
torch.manual_seed(seed) -> torch.Generator
Seeds the global random generator (returns torch.default_generator).
After the same seed, rand, randn, randint, randperm, dropout, shuffling
DataLoaders and layer initialisation give PyTorch 1.13's numbers.
Example:
  torch.manual_seed(42)
  torch.initial_seed()                    --> 42]=],

  ["torch.initial_seed"] = [=[
torch.initial_seed() -> integer
The seed the global generator was last seeded with.
Seeds are uint64 as in PyTorch; one >= 2^63 comes back as the negative Lua
integer with the same bits.
Example:
  torch.manual_seed(7)
  torch.initial_seed()                    --> 7]=],

  ["torch.get_rng_state"] = [=[
torch.get_rng_state() -> Tensor
The state of the global generator: a uint8 tensor of 5056 bytes in
PyTorch's own layout, so a state saved by PyTorch restores in ember and the
other way round. Restore it with torch.set_rng_state.
Example:
  torch.get_rng_state():size()            --> torch.Size([5056])]=],

  ["torch.set_rng_state"] = [=[
torch.set_rng_state(state)
Restores the global generator from a state of torch.get_rng_state().
Example:
  local s = torch.get_rng_state()
  local a = torch.rand(2)
  torch.set_rng_state(s)
  torch.rand(2):eq(a):all()               --> tensor(True)]=],

  ["torch.Generator"] = [=[
torch.Generator([device="cpu"]) -> torch.Generator
A random generator of its own, for reproducible draws that do not disturb
the global one: pass it as {generator = g} to rand, randn, randint,
randperm, uniform_, normal_, bernoulli, dropout and DataLoader.
Methods: manual_seed(s), initial_seed(), get_state(), set_state(t).
Example:
  local g = torch.Generator():manual_seed(0)
  torch.rand(2, {generator = g})          --> tensor([0.4963, 0.7682])]=],

  ["torch.Generator.manual_seed"] = [=[
g:manual_seed(seed) -> g
Seeds this generator (returns it, so calls chain).
Example:
  torch.Generator():manual_seed(5):initial_seed()  --> 5]=],

  ["torch.Generator.initial_seed"] = [=[
g:initial_seed() -> integer
The seed this generator was last seeded with (67280421310721, PyTorch's
default, for a new one).
Example:
  torch.Generator():initial_seed()        --> 67280421310721]=],

  ["torch.Generator.get_state"] = [=[
g:get_state() -> Tensor
This generator's state: 5056 bytes (uint8) in PyTorch's layout.
Example:
  torch.Generator():get_state().dtype     --> torch.uint8]=],

  ["torch.Generator.set_state"] = [=[
g:set_state(state) -> g
Restores this generator from a state of get_state() or get_rng_state().
Example:
  local g = torch.Generator()
  local s = g:get_state()
  local a = torch.rand(2, {generator = g})
  g:set_state(s)
  torch.rand(2, {generator = g}):eq(a):all()  --> tensor(True)]=],

  ["torch.default_generator"] = [=[
torch.default_generator
The global generator (a torch.Generator) behind torch.manual_seed and every
random function called without {generator=}.
Example:
  torch.default_generator:manual_seed(3)
  torch.initial_seed()                    --> 3]=],
}
