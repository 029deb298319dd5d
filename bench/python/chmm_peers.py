"""A numba peer of diffhmm's clone-structured HMM soft EM, timed on the problems of
CloneHmmRoomsBench (written by org.diffhmm.bench.CloneHmmData): the textbook block recursion of the
clone-structured HMM — at step t only the clones of x_t are live, so a step is a
clones[x_{t-1}] × clones[x_t] block of T[a_{t-1}] — forward with per-step normalisation, backward
with the expected transition counts, then T = (C + pc) / rowsum. Single-threaded (plain loops under
numba's JIT, float64), as CSCG implementations run.

Before timing, one iteration is checked against diffhmm's on the same problem: the log-likelihood
of the initial model (relative 1e-9) and the log-transitions after the M-step (1e-9). Times are
medians of repetitions after a JIT warm-up. Usage:

  python3 chmm_peers.py DATA [DATA ...] [--reps 5] [--json out.json]
"""
import argparse
import json
import math
import statistics
import time

import numpy as np
from numba import njit


def read(path):
    with open(path) as f:
        lines = f.read().splitlines()
    n, a, pc = lines[0].split()
    n, a, pc = int(n), int(a), float(pc)
    clones = np.array(lines[1].split(), dtype=np.int64)
    x = np.array(lines[2].split(), dtype=np.int64)
    act = np.array(lines[3].split(), dtype=np.int64) if lines[3].strip() else np.zeros(0, dtype=np.int64)
    log_t0 = np.array(lines[4].split(), dtype=np.float64).reshape(a, n, n)
    ll = float(lines[5])
    log_t1 = np.array(lines[6].split(), dtype=np.float64).reshape(a, n, n)
    return dict(states=n, actions=a, pc=pc, clones=clones, x=x, a=act, log_t0=log_t0, ll=ll, log_t1=log_t1)


@njit(cache=False)
def e_step(T, first, count, x, a, counts):
    """Forward-backward over the live clone blocks; returns lnL and adds expected counts."""
    L = x.shape[0]
    N = T.shape[1]
    width = count.max()
    alpha = np.zeros((L, width))
    ll = 0.0
    n0 = count[x[0]]
    for i in range(n0):
        alpha[0, i] = 1.0 / N
    z = 0.0
    for i in range(n0):
        z += alpha[0, i]
    for i in range(n0):
        alpha[0, i] /= z
    ll += math.log(z)
    for t in range(1, L):
        fp, npv = first[x[t - 1]], count[x[t - 1]]
        fc, nc = first[x[t]], count[x[t]]
        act = a[t - 1]
        z = 0.0
        for j in range(nc):
            s = 0.0
            for i in range(npv):
                s += alpha[t - 1, i] * T[act, fp + i, fc + j]
            alpha[t, j] = s
            z += s
        for j in range(nc):
            alpha[t, j] /= z
        ll += math.log(z)
    beta = np.ones(width)
    nb = count[x[L - 1]]
    for j in range(nb):
        beta[j] = 1.0 / nb
    prev = np.zeros(width)
    for t in range(L - 1, 0, -1):
        fp, npv = first[x[t - 1]], count[x[t - 1]]
        fc, nc = first[x[t]], count[x[t]]
        act = a[t - 1]
        total = 0.0
        for i in range(npv):
            s = 0.0
            for j in range(nc):
                s += T[act, fp + i, fc + j] * beta[j]
            prev[i] = s
            total += alpha[t - 1, i] * s
        for i in range(npv):
            ai = alpha[t - 1, i] / total
            for j in range(nc):
                counts[act, fp + i, fc + j] += ai * T[act, fp + i, fc + j] * beta[j]
        z = 0.0
        for i in range(npv):
            z += prev[i]
        for i in range(npv):
            beta[i] = prev[i] / z
    return ll


def em_iteration(T, first, count, x, a, pc, counts):
    counts[:] = 0.0
    ll = e_step(T, first, count, x, a, counts)
    c = counts + pc
    return ll, c / c.sum(axis=2, keepdims=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="+")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rows = []
    print("| problem | states | numba soft-EM iteration ms |\n|---|---|---|")
    for path in args.data:
        d = read(path)
        count = d["clones"]
        first = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
        T0 = np.exp(d["log_t0"])
        counts = np.zeros_like(T0)
        ll, T1 = em_iteration(T0, first, count, d["x"], d["a"], d["pc"], counts)  # also the JIT warm-up
        assert abs(ll - d["ll"]) <= 1e-9 * abs(d["ll"]), (path, ll, d["ll"])
        with np.errstate(divide="ignore"):
            log_t1 = np.log(T1)
        assert np.allclose(log_t1, d["log_t1"], rtol=1e-9, atol=1e-9), (path, np.abs(log_t1 - d["log_t1"]).max())
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            em_iteration(T0, first, count, d["x"], d["a"], d["pc"], counts)
            times.append((time.perf_counter() - t0) * 1e3)
        ms = statistics.median(times)
        rows.append({"data": path, "states": d["states"], "ms": ms})
        print(f"| {path} (checked against diffhmm: lnL and T after one step agree) | {d['states']} | {ms:.2f} |",
              flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
