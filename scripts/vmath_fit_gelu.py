#!/usr/bin/env python3
"""scripts/vmath_fit_gelu.py - how vm_gelu's coefficients (src/backend/cpu/
cpu_vmath.h) were made; not run by the build or the tests.

vm_gelu needs E(x) = erfc(x / sqrt 2) for x >= 0 as e^(-x^2/2) t P(t),
t = 1 / (1 + p x). The fit: P of degree 8 minimising the largest *relative*
error of t P(t) against erfcx(x / sqrt 2) = erfc(x / sqrt 2) e^(x^2/2) on
x in [0, 13.3] (mpmath at 30 digits), by Lawson's iteratively reweighted
least squares. p = 0.35 (a float32 number; the fit uses its float32 value)
was the best of a scan of p and degree once the float32 evaluation is
counted: a smaller p fits better but makes t P(t) more sensitive to t's
rounding. Prints the coefficients c0..c8 of P in powers of t, and the fit's
largest relative error (about 3e-8; the float32 evaluation brings the
whole of vm_gelu to 7 ulps, tests/c/test_vmath.c).
Needs python3-mpmath and python3-numpy."""
import mpmath as mp
import numpy as np

mp.mp.dps = 30
P_T = float(np.float32(0.35))
DEGREE = 8

X = np.linspace(0, 13.3, 8001)
ref = np.array([float(mp.erfc(mp.mpf(x) / mp.sqrt(2)) * mp.exp(mp.mpf(x) ** 2 / 2)) for x in X])
t = 1 / (1 + P_T * X)
V = np.vander(t, DEGREE + 1, increasing=True) * t[:, None]
w = np.ones_like(t)
for _ in range(150):
    W = w / ref
    c, *_ = np.linalg.lstsq(V * W[:, None], ref * W, rcond=None)
    err = (V @ c - ref) / ref
    w = w * np.abs(err) ** 0.5 + 1e-300
    w /= w.max()
print("p = %.9g, largest relative error of the fit %.2e" % (P_T, np.abs(err).max()))
for k, v in enumerate(c):
    print("c%d = %.9g" % (k, float(np.float32(v))))
