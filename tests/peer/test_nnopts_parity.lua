-- Compares the options of ember's conv2d (dilation, groups, padding "same"
-- and "valid"), max/avg pooling (ceil_mode, dilation, padding, ties,
-- count_include_pad, divisor_override) and BatchNorm (momentum = None over
-- several batches) with real PyTorch 1.13, forward and every gradient, in
-- float32 and float64. The data file (arg[1]) comes from
-- tests/peer/make_nnopts_reference.py; the checks (tolerances, extra outputs,
-- gradients, grad_fn names, errors) are test_nn_parity.lua's, run here on
-- this file. Run by tests/peer/peer.sh nnopts.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/test_nn_parity.lua")
