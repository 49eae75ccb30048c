-- Compares ember's cumsum, cumprod, logsumexp, amax/amin, norms, std/var
-- options, predicates, isclose, nan_to_num, clamp with tensor bounds, lerp,
-- normal and the creators with real PyTorch: the cases of
-- tests/peer/make_mathr_reference.py, checked by test_op_parity.lua's rules
-- (values, dtypes, shapes, gradients of sum(out * w), grad_fn names).
-- Run by tests/peer/peer.sh mathr.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
rawset(_G, "EMBER_OP_PARITY_SUBSET", true)
dofile(here .. "/test_op_parity.lua")
