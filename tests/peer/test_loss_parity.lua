-- Compares ember's losses (binary_cross_entropy, smooth_l1_loss, huber_loss,
-- kl_div, cosine_embedding_loss, margin_ranking_loss, triplet_margin_loss,
-- cross_entropy with class probabilities, and their nn modules) and nn.utils
-- (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
-- vector_to_parameters) with real PyTorch 1.13: values, every gradient,
-- grad_fn names, PyTorch's error words. The data file (arg[1]) comes from
-- tests/peer/make_loss_reference.py; the checks are test_nn_parity.lua's,
-- run here with F as a global and a tolerance of 1e-6 relative (atol for
-- results that cancel to about 0: float32 sums of at most 60 terms).
-- Run by tests/peer/peer.sh loss.
F = nn.functional
PEER_TOL = {
  float64 = {rtol = 1e-6, atol = 1e-12},
  float32 = {rtol = 1e-6, atol = 1e-6},
}
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/test_nn_parity.lua")
