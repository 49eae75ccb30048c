"""Writes a Lua data file of reference results from real PyTorch 1.13 for
ember's losses and nn.utils (issue 22): binary_cross_entropy (weight, the
clamp at 0 and 1), smooth_l1_loss (beta, beta = 0, broadcasting),
huber_loss (delta), kl_div (every reduction, batchmean, log_target, zero
targets), cosine_embedding_loss, margin_ranking_loss, triplet_margin_loss
(p, eps, swap), cross_entropy with class probabilities (weight,
label_smoothing, spatial, unbatched), each with every reduction, as F.NAME
and as nn.Module; the gradients of the input, the target and the other
tensors where PyTorch has them; the grad_fn names; and
nn.utils.clip_grad_norm_ (norm 2, 1, 3, inf; clipped or not: the total norm
and the grads after), clip_grad_value_, parameters_to_vector (with its
gradient) and vector_to_parameters. Error cases check that PyTorch raises
and that ember says PyTorch's words.
The cases use the machinery of make_nn_reference.py; the checks are
test_nn_parity.lua's with a tighter tolerance (test_loss_parity.lua).
Usage: /usr/bin/python3 tests/peer/make_loss_reference.py OUT.lua
"""

import math
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_nn_reference import CASES, G, L, I, case, run_case
from peerlib import write_records

REDUCTIONS = ("mean", "sum", "none")
# probabilities, with 0 and 1 themselves (the log clamps at -100)
PROBS = [[0.0, 0.3, 1.0, 0.75], [0.9, 0.5, 0.01, 0.2], [0.6, 0.999, 0.45, 0.05]]


def bce_cases():
    for red in REDUCTIONS:
        case("binary_cross_entropy/" + red, "F.binary_cross_entropy(x1, x2, {reduction = '%s'})" % red,
             lambda x, t, r=red: F.binary_cross_entropy(x, t, reduction=r),
             [G(3, 4, lo=0.02, hi=0.98), G(3, 4, lo=0.0, hi=1.0)])
        case("binary_cross_entropy/clamped_" + red, "F.binary_cross_entropy(x1, x2, {reduction = '%s'})" % red,
             lambda x, t, r=red: F.binary_cross_entropy(x, t, reduction=r),
             [L(PROBS, grad=True), G(3, 4, lo=0.1, hi=0.9)])
    case("binary_cross_entropy/weight", "F.binary_cross_entropy(x1, x2, x3)",
         lambda x, t, w: F.binary_cross_entropy(x, t, w),
         [G(3, 4, lo=0.02, hi=0.98), G(3, 4, lo=0.0, hi=1.0), L([0.5, 2.0, 1.0, 3.0])])
    case("binary_cross_entropy/weight_sum", "F.binary_cross_entropy(x1, x2, {weight = x3, reduction = 'sum'})",
         lambda x, t, w: F.binary_cross_entropy(x, t, w, reduction="sum"),
         [G(3, 4, lo=0.02, hi=0.98), G(3, 4, lo=0.0, hi=1.0), L([[0.5], [2.0], [1.5]])])
    case("BCELoss/weight_none", "nn.BCELoss(x3, {reduction = 'none'})(x1, x2)",
         lambda x, t, w: nn.BCELoss(w, reduction="none")(x, t),
         [G(2, 5, lo=0.02, hi=0.98), G(2, 5, lo=0.0, hi=1.0), L([1.0, 0.5, 2.0, 0.25, 1.5])])
    case("BCELoss", "nn.BCELoss()(x1, x2)", lambda x, t: nn.BCELoss()(x, t),
         [G(6, lo=0.02, hi=0.98), G(6, lo=0.0, hi=1.0, grad=False)])


def smooth_cases():
    for red in REDUCTIONS:
        case("smooth_l1_loss/" + red, "F.smooth_l1_loss(x1, x2, {reduction = '%s'})" % red,
             lambda x, t, r=red: F.smooth_l1_loss(x, t, reduction=r), [G(3, 5), G(3, 5, lo=-1.0, hi=1.0)])
        case("huber_loss/" + red, "F.huber_loss(x1, x2, '%s')" % red,
             lambda x, t, r=red: F.huber_loss(x, t, reduction=r), [G(3, 5), G(3, 5, lo=-1.0, hi=1.0)])
    case("smooth_l1_loss/beta", "F.smooth_l1_loss(x1, x2, {beta = 0.5})",
         lambda x, t: F.smooth_l1_loss(x, t, beta=0.5), [G(4, 5), G(4, 5, lo=-1.0, hi=1.0)])
    # beta = 0: the L1 loss; where x = t the gradient is PyTorch's -1 (d <= -beta)
    case("smooth_l1_loss/beta0", "F.smooth_l1_loss(x1, x2, {beta = 0.0, reduction = 'sum'})",
         lambda x, t: F.smooth_l1_loss(x, t, beta=0.0, reduction="sum"),
         [L([0.5, 0.0, -1.0, 2.0, 0.25], grad=True), L([0.0, 0.0, 0.0, 2.0, -0.25], grad=True)])
    case("smooth_l1_loss/kinks", "F.smooth_l1_loss(x1, x2, {beta = 0.5, reduction = 'none'})",
         lambda x, t: F.smooth_l1_loss(x, t, beta=0.5, reduction="none"),
         [L([0.5, -0.5, 0.25, 1.0], grad=True), L([0.0, 0.0, 0.0, 0.0], grad=True)])
    case("smooth_l1_loss/broadcast", "F.smooth_l1_loss(x1, x2)", F.smooth_l1_loss, [G(3, 4), G(4, lo=-1.0, hi=1.0)])
    case("huber_loss/delta", "F.huber_loss(x1, x2, {delta = 0.5})", lambda x, t: F.huber_loss(x, t, delta=0.5),
         [G(4, 5), G(4, 5, lo=-1.0, hi=1.0)])
    case("huber_loss/kinks", "F.huber_loss(x1, x2, 'none', 2.0)",
         lambda x, t: F.huber_loss(x, t, "none", 2.0),
         [L([2.0, -2.0, 1.0, 3.5], grad=True), L([0.0, 0.0, 0.0, 0.0], grad=True)])
    case("SmoothL1Loss", "nn.SmoothL1Loss({beta = 2.0, reduction = 'sum'})(x1, x2)",
         lambda x, t: nn.SmoothL1Loss(beta=2.0, reduction="sum")(x, t), [G(3, 4), G(3, 4, lo=-1.0, hi=1.0)])
    case("HuberLoss", "nn.HuberLoss('mean', 1.5)(x1, x2)", lambda x, t: nn.HuberLoss("mean", 1.5)(x, t),
         [G(3, 4), G(3, 4, lo=-1.0, hi=1.0)])
    case("L1Loss/sum", "nn.L1Loss({reduction = 'sum'})(x1, x2)", lambda x, t: nn.L1Loss(reduction="sum")(x, t),
         [G(3, 4), G(3, 4, lo=-1.0, hi=1.0)])
    case("MSELoss/none", "nn.MSELoss({reduction = 'none'})(x1, x2)", lambda x, t: nn.MSELoss(reduction="none")(x, t),
         [G(3, 4), G(3, 4, lo=-1.0, hi=1.0)])


def kl_cases():
    zeros_t = [[0.0, 0.2, 0.8], [0.5, 0.0, 0.5]]
    for red in REDUCTIONS + ("batchmean",):
        case("kl_div/" + red, "F.kl_div(x1, x2, {reduction = '%s'})" % red,
             lambda x, t, r=red: F.kl_div(x, t, reduction=r), [G(3, 4, lo=-3.0, hi=-0.1), G(3, 4, lo=0.05, hi=1.0)])
        case("kl_div/log_target_" + red, "F.kl_div(x1, x2, {reduction = '%s', log_target = true})" % red,
             lambda x, t, r=red: F.kl_div(x, t, reduction=r, log_target=True),
             [G(3, 4, lo=-3.0, hi=-0.1), G(3, 4, lo=-3.0, hi=-0.1)])
    case("kl_div/zero_target", "F.kl_div(x1, x2, {reduction = 'sum'})", lambda x, t: F.kl_div(x, t, reduction="sum"),
         [G(2, 3, lo=-3.0, hi=-0.1), L(zeros_t)])
    case("KLDivLoss/batchmean", "nn.KLDivLoss({reduction = 'batchmean'})(x1:log_softmax(2), x2)",
         lambda x, t: nn.KLDivLoss(reduction="batchmean")(x.log_softmax(1), t),
         [G(4, 5), G(4, 5, lo=0.0, hi=1.0, grad=False)])


def margin_cases():
    y = L([1.0, -1.0, 1.0, -1.0])
    for red in REDUCTIONS:
        case("cosine_embedding_loss/" + red, "F.cosine_embedding_loss(x1, x2, x3, {reduction = '%s'})" % red,
             lambda a, b, t, r=red: F.cosine_embedding_loss(a, b, t, reduction=r), [G(4, 5), G(4, 5), y])
        # "none": PyTorch's clamp_min (ClampMinBackward0) is ember's clamp (ClampBackward1)
        case("margin_ranking_loss/" + red, "F.margin_ranking_loss(x1, x2, x3, {reduction = '%s'})" % red,
             lambda a, b, t, r=red: F.margin_ranking_loss(a, b, t, reduction=r), [G(4), G(4), y],
             grad_fn=red != "none")
        case("triplet_margin_loss/" + red, "F.triplet_margin_loss(x1, x2, x3, {reduction = '%s'})" % red,
             lambda a, p, n, r=red: F.triplet_margin_loss(a, p, n, reduction=r), [G(4, 5), G(4, 5), G(4, 5)],
             grad_fn=red != "none")
    case("cosine_embedding_loss/margin", "F.cosine_embedding_loss(x1, x2, x3, 0.2)",
         lambda a, b, t: F.cosine_embedding_loss(a, b, t, 0.2), [G(4, 5), G(4, 5), L([-1, -1, 1, -1], "int64")])
    case("cosine_embedding_loss/1d", "F.cosine_embedding_loss(x1, x2, x3)", F.cosine_embedding_loss,
         [G(5), G(5), L(1.0)], grad_fn=False)
    case("CosineEmbeddingLoss", "nn.CosineEmbeddingLoss(-0.5, {reduction = 'sum'})(x1, x2, x3)",
         lambda a, b, t: nn.CosineEmbeddingLoss(-0.5, reduction="sum")(a, b, t), [G(4, 3), G(4, 3), y])
    case("margin_ranking_loss/margin", "F.margin_ranking_loss(x1, x2, x3, 0.5)",
         lambda a, b, t: F.margin_ranking_loss(a, b, t, 0.5), [G(4), G(4), y])
    case("margin_ranking_loss/target_grad", "F.margin_ranking_loss(x1, x2, x3, {margin = 1.0, reduction = 'sum'})",
         lambda a, b, t: F.margin_ranking_loss(a, b, t, margin=1.0, reduction="sum"), [G(6), G(6), G(6)])
    case("MarginRankingLoss", "nn.MarginRankingLoss(0.3)(x1, x2, x3)",
         lambda a, b, t: nn.MarginRankingLoss(0.3)(a, b, t), [G(2, 3), G(2, 3), L([[1.0, -1.0, 1.0], [1.0, 1.0, -1.0]])])
    case("triplet_margin_loss/p1", "F.triplet_margin_loss(x1, x2, x3, 0.5, 1)",
         lambda a, p, n: F.triplet_margin_loss(a, p, n, 0.5, 1), [G(4, 5), G(4, 5), G(4, 5)])
    case("triplet_margin_loss/p3_eps", "F.triplet_margin_loss(x1, x2, x3, {p = 3, eps = 1e-3, margin = 2})",
         lambda a, p, n: F.triplet_margin_loss(a, p, n, p=3, eps=1e-3, margin=2), [G(4, 5), G(4, 5), G(4, 5)])
    case("triplet_margin_loss/swap", "F.triplet_margin_loss(x1, x2, x3, 1, 2, 1e-6, true, {reduction = 'sum'})",
         lambda a, p, n: F.triplet_margin_loss(a, p, n, 1, 2, 1e-6, True, reduction="sum"),
         [G(4, 5), G(4, 5, lo=-0.5, hi=0.5), G(4, 5)])
    case("triplet_margin_loss/1d", "F.triplet_margin_loss(x1, x2, x3, 3.0)",
         lambda a, p, n: F.triplet_margin_loss(a, p, n, 3.0), [G(6), G(6), G(6)], grad_fn=False)
    case("TripletMarginLoss", "nn.TripletMarginLoss({margin = 1.5, swap = true})(x1, x2, x3)",
         lambda a, p, n: nn.TripletMarginLoss(margin=1.5, swap=True)(a, p, n), [G(3, 4), G(3, 4), G(3, 4)])


def ce_prob_cases():
    for red in REDUCTIONS:
        # DivBackward1 (division by a C++ integer) where ember's is DivBackward0
        case("cross_entropy_probs/" + red, "F.cross_entropy(x1, x2:softmax(2), {reduction = '%s'})" % red,
             lambda x, t, r=red: F.cross_entropy(x, t.softmax(1), reduction=r), [G(4, 5), G(4, 5)],
             grad_fn=red != "mean")
        case("cross_entropy_probs/weight_" + red,
             "F.cross_entropy(x1, x2, {weight = x3, reduction = '%s'})" % red,
             lambda x, t, w, r=red: F.cross_entropy(x, t, weight=w, reduction=r),
             [G(4, 5), G(4, 5, lo=0.0, hi=1.0), L([0.5, 1.0, 2.0, 1.5, 0.25])], grad_fn=red != "mean")
    # the weight is differentiable in the probability form (PyTorch composes it)
    case("cross_entropy_probs/learnable_weight", "F.cross_entropy(x1, x2, {weight = x3, label_smoothing = 0.1})",
         lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1),
         [G(4, 5), G(4, 5, lo=0.0, hi=1.0), G(5, lo=0.5, hi=2.0)], grad_fn=False)
    case("cross_entropy_probs/learnable_weight_none", "F.cross_entropy(x1, x2, {weight = x3, reduction = 'none'})",
         lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction="none"),
         [G(2, 3, 2), G(2, 3, 2, lo=0.0, hi=1.0), G(3, lo=0.5, hi=2.0)])
    case("cross_entropy_probs/smoothing", "F.cross_entropy(x1, x2, {label_smoothing = 0.2, reduction = 'sum'})",
         lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2, reduction="sum"), [G(3, 4), G(3, 4, lo=0.0, hi=1.0)])
    case("cross_entropy_probs/spatial", "F.cross_entropy(x1, x2, {weight = x3, label_smoothing = 0.1})",
         lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1),
         [G(2, 3, 2, 2), G(2, 3, 2, 2, lo=0.0, hi=1.0), L([1.0, 2.0, 0.5])], grad_fn=False)
    case("cross_entropy_probs/unbatched", "F.cross_entropy(x1, x2)", F.cross_entropy,
         [G(5), G(5, lo=0.0, hi=1.0)], grad_fn=False)
    case("CrossEntropyLoss/probs", "nn.CrossEntropyLoss({weight = x3, reduction = 'none'})(x1, x2)",
         lambda x, t, w: nn.CrossEntropyLoss(weight=w, reduction="none")(x, t),
         [G(3, 4), G(3, 4, lo=0.0, hi=1.0), L([1.0, 2.0, 0.5, 1.0])])
    case("CrossEntropyLoss/index_weight", "nn.CrossEntropyLoss({weight = x3, ignore_index = 1})(x1, x2)",
         lambda x, t, w: nn.CrossEntropyLoss(weight=w, ignore_index=1)(x, t),
         [G(4, 3), I([0, 1, 2, 2]), L([1.0, 2.0, 0.5])])
    case("NLLLoss/weight_sum", "nn.NLLLoss({weight = x3, reduction = 'sum'})(x1, x2)",
         lambda x, t, w: nn.NLLLoss(weight=w, reduction="sum")(x, t), [G(4, 3), I([0, 1, 2, 2]), L([1.0, 2.0, 0.5])])
    case("BCEWithLogitsLoss/pos_weight", "nn.BCEWithLogitsLoss({pos_weight = x3, reduction = 'none'})(x1, x2)",
         lambda x, t, p: nn.BCEWithLogitsLoss(pos_weight=p, reduction="none")(x, t),
         [G(3, 4), G(3, 4, lo=0.0, hi=1.0), L([2.0, 0.5, 1.0, 3.0])])


# ---------------------------------------------------------------- nn.utils
def with_grads(*grads):
    """Leaf parameters (zeros) whose .grad is a clone of each given tensor."""
    ps = []
    for g in grads:
        p = torch.zeros_like(g).requires_grad_()
        p.grad = g.detach().clone()
        ps.append(p)
    return ps


LUA_PARAMS = ("local ps = {} for i, g in ipairs({x1, x2, x3}) do ps[i] = torch.zeros_like(g):requires_grad_(); "
              "ps[i].grad = g:clone() end; ")


def utils_cases():
    shapes = [G(3, 4, grad=False), G(5, grad=False), G(2, 2, 2, grad=False)]
    for label, max_norm, norm_type in (("l2", 1.0, 2.0), ("l2_unclipped", 100.0, 2.0), ("l1", 2.0, 1.0),
                                       ("l3", 0.5, 3.0), ("inf", 0.25, math.inf)):
        lua_norm = "math.huge" if norm_type == math.inf else repr(norm_type)

        def fn(a, b, c, m=max_norm, n=norm_type):
            ps = with_grads(a, b, c)
            total = nn.utils.clip_grad_norm_(ps, m, n)
            return (total,) + tuple(p.grad for p in ps)
        case("clip_grad_norm_/" + label,
             LUA_PARAMS + "local n = nn.utils.clip_grad_norm_(ps, %r, %s); return n, ps[1].grad, ps[2].grad, "
             "ps[3].grad" % (max_norm, lua_norm), fn, shapes)

    def one(a):
        p = with_grads(a)[0]
        return nn.utils.clip_grad_norm_(p, 0.5, error_if_nonfinite=True), p.grad
    case("clip_grad_norm_/tensor", "local p = torch.zeros_like(x1):requires_grad_(); p.grad = x1:clone(); "
         "return nn.utils.clip_grad_norm_(p, 0.5, {error_if_nonfinite = true}), p.grad", one, [G(7, grad=False)])

    def value(a, b, c):
        ps = with_grads(a, b, c)
        nn.utils.clip_grad_value_(ps, 0.75)
        return tuple(p.grad for p in ps)
    case("clip_grad_value_", LUA_PARAMS + "nn.utils.clip_grad_value_(ps, 0.75); return ps[1].grad, ps[2].grad, "
         "ps[3].grad", value, shapes)
    case("parameters_to_vector", "return nn.utils.parameters_to_vector({x1, x2, x3})",
         lambda a, b, c: nn.utils.parameters_to_vector([a, b, c]), [G(3, 4), G(5), G(2, 2, 2)])

    def to_params(v, a, b):
        ps = [a.detach().clone(), b.detach().clone()]
        nn.utils.vector_to_parameters(v, ps)
        return tuple(ps)
    case("vector_to_parameters", "local ps = {x2:clone(), x3:clone()}; nn.utils.vector_to_parameters(x1, ps); "
         "return ps[1], ps[2]", to_params, [G(14, grad=False), G(3, 4, grad=False), G(2, grad=False)])


def error_cases():
    one = ("float32",)

    def err(name, call, fn, inputs, msg):
        case("error/" + name, call, fn, inputs, dtypes=one, error=msg)
    p = G(2, 3, lo=0.1, hi=0.9)
    err("bce_size", "F.binary_cross_entropy(x1, x2)", F.binary_cross_entropy, [p, G(3, lo=0.1, hi=0.9)],
        "Using a target size (torch.Size([3])) that is different to the input size (torch.Size([2, 3])) is "
        "deprecated. Please ensure they have the same size.")
    err("bce_range", "F.binary_cross_entropy(x1, x2)", F.binary_cross_entropy, [G(2, 3), G(2, 3, lo=0.1, hi=0.9)],
        "all elements of input should be between 0 and 1")
    err("bce_target_dtype", "F.binary_cross_entropy(x1, x2)", F.binary_cross_entropy,
        [p, L([[1, 0, 1], [0, 0, 1]], "int64")], "Found dtype int64 but expected float32")
    err("bce_weight_grad", "F.binary_cross_entropy(x1, x2, x3)", F.binary_cross_entropy,
        [p, G(2, 3, lo=0.1, hi=0.9), G(3)], "is not differentiable with respect to argument 'weight'")
    err("ce_weight_grad", "F.cross_entropy(x1, x2, {weight = x3})", lambda x, t, w: F.cross_entropy(x, t, weight=w),
        [G(2, 3), I([0, 2]), G(3)], "The function 'nll_loss_forward' is not differentiable with respect to "
        "argument 'weight'. This input cannot have requires_grad True.")
    err("bce_logits_pos_weight_grad", "F.binary_cross_entropy_with_logits(x1, x2, {pos_weight = x3})",
        lambda x, t, p: F.binary_cross_entropy_with_logits(x, t, pos_weight=p), [G(2, 3), G(2, 3, lo=0.0, hi=1.0),
                                                                                 G(3)],
        "The function 'binary_cross_entropy_with_logits' is not differentiable with respect to argument 'pos_weight'")
    err("bad_reduction", "F.smooth_l1_loss(x1, x2, {reduction = 'avg'})",
        lambda x, t: F.smooth_l1_loss(x, t, reduction="avg"), [G(3), G(3)], "avg is not a valid value for reduction")
    err("bad_reduction_module", "nn.HuberLoss('avg')(x1, x2)", lambda x, t: nn.HuberLoss("avg")(x, t), [G(3), G(3)],
        "avg is not a valid value for reduction")
    err("kl_bad_reduction", "F.kl_div(x1, x2, {reduction = 'batch'})", lambda x, t: F.kl_div(x, t, reduction="batch"),
        [G(3), G(3)], "batch is not a valid value for reduction")
    err("smooth_l1_beta", "F.smooth_l1_loss(x1, x2, {beta = -1.0})", lambda x, t: F.smooth_l1_loss(x, t, beta=-1.0),
        [G(3), G(3)], "smooth_l1_loss does not support negative values for beta.")
    err("huber_delta", "F.huber_loss(x1, x2, {delta = 0.0})", lambda x, t: F.huber_loss(x, t, delta=0.0),
        [G(3), G(3)], "huber_loss does not support non-positive values for delta.")
    err("smooth_l1_long", "F.smooth_l1_loss(x1, x2)", F.smooth_l1_loss, [L([1, 2], "int64"), L([0, 1], "int64")],
        '"smooth_l1_cpu" not implemented for int64')
    err("kl_integral", "F.kl_div(x1, x2)", F.kl_div, [G(3), L([0, 1, 0], "int64")],
        "kl_div: Integral inputs not supported.")
    err("ce_probs_smoothing", "F.cross_entropy(x1, x2, {label_smoothing = 1.5})",
        lambda x, t: F.cross_entropy(x, t, label_smoothing=1.5), [G(2, 3), G(2, 3, lo=0.0, hi=1.0)],
        "label_smoothing must be between 0.0 and 1.0. Got: 1.5")
    err("ce_probs_ignore", "F.cross_entropy(x1, x2, {ignore_index = 1})",
        lambda x, t: F.cross_entropy(x, t, ignore_index=1), [G(2, 3), G(2, 3, lo=0.0, hi=1.0)],
        "ignore_index is not supported for floating point target")
    err("ce_probs_long", "F.cross_entropy(x1, x2)", F.cross_entropy, [G(2, 3), L([[0, 1, 0], [1, 0, 0]], "int64")],
        "Expected floating point type for target with class probabilities, got int64")
    err("ce_probs_weight", "F.cross_entropy(x1, x2, {weight = x3})", lambda x, t, w: F.cross_entropy(x, t, weight=w),
        [G(2, 3), G(2, 3, lo=0.0, hi=1.0), L([1.0, 2.0])],
        "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]")
    err("cosine_target_dims", "F.cosine_embedding_loss(x1, x2, x3)", F.cosine_embedding_loss,
        [G(2, 3), G(2, 3), L([[1.0, 1.0]])], "0D or 1D target tensor expected, multi-target not supported")
    err("margin_ranking_dims", "F.margin_ranking_loss(x1, x2, x3)", F.margin_ranking_loss,
        [G(2, 3), G(2, 3), L([1.0, -1.0])], "margin_ranking_loss : All input tensors should have same dimension")
    err("triplet_dims", "F.triplet_margin_loss(x1, x2, x3)", F.triplet_margin_loss, [G(2, 3), G(2, 3), G(3)],
        "All inputs should have same dimension but got 2D, 2D and 1D inputs.")
    err("clip_nonfinite", "local p = torch.zeros(2):requires_grad_(); p.grad = x1:clone(); "
        "return nn.utils.clip_grad_norm_({p}, 1.0, {error_if_nonfinite = true})",
        lambda g: nn.utils.clip_grad_norm_(with_grads(g), 1.0, error_if_nonfinite=True), [L([1.0, math.inf])],
        "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. "
        "To disable this error and scale the gradients by the non-finite norm anyway, set "
        "`error_if_nonfinite=False`")
    err("vector_short", "nn.utils.vector_to_parameters(x1, {x2})",
        lambda v, a: nn.utils.vector_to_parameters(v, [a.detach().clone()]), [G(4, grad=False), G(2, 3, grad=False)],
        "shape '[2, 3]' is invalid for input of size 4")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_loss_reference.py OUT.lua")
    warnings.simplefilter("ignore")   # kl_div's 'mean' and smooth_l1's broadcast warnings
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)
    for build in (bce_cases, smooth_cases, kl_cases, margin_cases, ce_prob_cases, utils_cases, error_cases):
        build()
    write_records(sys.argv[1], "make_loss_reference.py", [run_case(c) for c in CASES])


if __name__ == "__main__":
    main()
