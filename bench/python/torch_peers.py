"""PyTorch peers of diffhmm's dense forward/backward, with the same semantics (DESIGN.md §1.1).

  published  the published baseline: a Python loop that slices potential[:, t] every step;
             autograd's backward through the slices is O(L^2).
  linear     the same loop with the time axis unbound once (torch.unbind): linear backward.
  scan       a log-depth parallel scan in the style of pytorch-struct: step matrices combined
             pairwise in log2(L) rounds of log-space matrix products (padding steps are identities).

Before timing, every peer is checked against diffhmm itself on a shared float32 input (ragged
lengths): log Z and the gradient of sum(log Z), with diffhmm called through ctypes on
libdiffhmm.so (--lib; default: the one Maven builds). Times are medians of repetitions. Usage:

  python3 torch_peers.py [--batch 8] [--states 50] [--lengths 100,1000,3000] [--threads 2]
                         [--peers published,linear,scan] [--reps 3] [--json out.json] [--lib path]
"""
import argparse
import ctypes
import json
import os
import statistics
import time

import torch


def log_z_published(potential, lengths):
    """The published layer's PyTorch baseline: alpha over slices potential[:, t]."""
    B, T, N, _ = potential.shape
    alpha = potential[:, 0, 0, :]
    log_z = torch.zeros(B, dtype=potential.dtype)
    done = lengths == 1
    log_z = torch.where(done, torch.logsumexp(alpha, -1), log_z)
    for t in range(1, T):
        alpha = torch.logsumexp(alpha.unsqueeze(-1) + potential[:, t], dim=1)
        log_z = torch.where(lengths == t + 1, torch.logsumexp(alpha, -1), log_z)
    return log_z


def log_z_linear(potential, lengths):
    """The same recursion with the time axis unbound once: each step's slice is its own leaf view."""
    B, T, N, _ = potential.shape
    steps = torch.unbind(potential, dim=1)
    alpha = steps[0][:, 0, :]
    log_z = torch.zeros(B, dtype=potential.dtype)
    log_z = torch.where(lengths == 1, torch.logsumexp(alpha, -1), log_z)
    for t in range(1, T):
        alpha = torch.logsumexp(alpha.unsqueeze(-1) + steps[t], dim=1)
        log_z = torch.where(lengths == t + 1, torch.logsumexp(alpha, -1), log_z)
    return log_z


def log_matmul(a, b):
    """log(exp(a) @ exp(b)) over the last two dimensions, stabilised by row and column maxima."""
    ma = a.amax(dim=-1, keepdim=True)
    mb = b.amax(dim=-2, keepdim=True)
    return torch.log(torch.exp(a - ma) @ torch.exp(b - mb)) + ma + mb


def log_z_scan(potential, lengths):
    """Log-depth scan: the L-1 transition matrices of each sequence multiplied pairwise in the log
    semiring, log2(L) rounds; steps past a sequence's length are log-identities."""
    B, T, N, _ = potential.shape
    eye = torch.full((N, N), float("-inf"), dtype=potential.dtype)
    eye.fill_diagonal_(0.0)
    mats = potential[:, 1:]
    real = (torch.arange(1, T).unsqueeze(0) < lengths.unsqueeze(1))[:, :, None, None]
    mats = torch.where(real, mats, eye)
    while mats.shape[1] > 1:
        if mats.shape[1] % 2 == 1:
            mats = torch.cat([mats, eye.expand(B, 1, N, N)], dim=1)
        mats = log_matmul(mats[:, 0::2], mats[:, 1::2])
    alpha0 = potential[:, 0, 0, :]
    if mats.shape[1] == 0:
        log_z = torch.logsumexp(alpha0, dim=-1)
    else:
        log_z = torch.logsumexp(alpha0.unsqueeze(-1) + mats[:, 0], dim=(1, 2))
    return torch.where(lengths > 0, log_z, torch.zeros_like(log_z))


PEERS = {"published": log_z_published, "linear": log_z_linear, "scan": log_z_scan}


class Diffhmm:
    """diffhmm's C ABI through ctypes: forward and backward of dense float32 potentials (CPU)."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.diffhmm_last_error.restype = ctypes.c_char_p
        self.ws = ctypes.c_void_p()
        self._check(self.lib.diffhmm_workspace_create(0, ctypes.byref(self.ws)))

    def _check(self, status):
        if status != 0:
            raise RuntimeError(self.lib.diffhmm_last_error().decode())

    def forward_backward(self, potential, lengths):
        B, T, N, _ = potential.shape
        pot = potential.detach().float().contiguous()
        lens = lengths.to(torch.int64).contiguous()
        log_z = torch.zeros(B, dtype=torch.float32)
        grad = torch.zeros_like(pot)
        ones = torch.ones(B, dtype=torch.float32)
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        self._check(self.lib.diffhmm_forward_dense(self.ws, 0, 0, i64(B), i64(T), i64(N), ptr(pot.data_ptr()),
                                                   ptr(lens.data_ptr()), ptr(log_z.data_ptr())))
        self._check(self.lib.diffhmm_backward_dense(self.ws, 0, 0, i64(B), i64(T), i64(N), ptr(pot.data_ptr()),
                                                    ptr(lens.data_ptr()), ptr(ones.data_ptr()), ptr(grad.data_ptr())))
        return log_z, grad


def check(peer, ours, B=3, T=9, N=5):
    """A peer against diffhmm on a shared float32 input with ragged lengths (0 and 1 included)."""
    g = torch.Generator().manual_seed(7)
    pot = torch.rand(B + 1, T, N, N, generator=g) * 4 - 3
    lengths = torch.tensor([T, 1, T - 3, 0])
    want_log_z, want_grad = ours.forward_backward(pot, lengths)
    x = pot.clone().requires_grad_(True)
    got = PEERS[peer](x, lengths)
    got.sum().backward()
    assert torch.allclose(got, want_log_z, atol=1e-4), (peer, got, want_log_z)
    # The published loop writes gradients into padding and step-0 rows 1..N-1 only as zeros too.
    assert torch.allclose(x.grad, want_grad, atol=1e-5), (peer, (x.grad - want_grad).abs().max())


def time_peer(peer, B, N, L, reps):
    torch.manual_seed(0)
    pot = (torch.rand(B, L, N, N) * 4 - 3).requires_grad_(True)
    lengths = torch.full((B,), L)
    fwd, both = [], []
    for _ in range(reps):
        pot.grad = None
        t0 = time.perf_counter()
        log_z = PEERS[peer](pot, lengths)
        t1 = time.perf_counter()
        log_z.sum().backward()
        t2 = time.perf_counter()
        fwd.append((t1 - t0) * 1e3)
        both.append((t2 - t0) * 1e3)
    return statistics.median(fwd), statistics.median(both)



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--states", type=int, default=50)
    ap.add_argument("--lengths", default="100,500,1000,2000,3000")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--peers", default="published,linear,scan")
    ap.add_argument("--lib", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "java",
                                                  "core", "target", "native", "lib", "libdiffhmm.so"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", default=None)
    ap.add_argument("--published-max-length", type=int, default=1000,
                    help="skip the published loop beyond this L: its O(L^2) backward takes minutes (69 s at L = 1000)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    rows = []
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, B={a.batch} N={a.states}, float32 dense")
    print("| peer | L | forward ms | forward+backward ms |\n|---|---|---|---|")
    ours = Diffhmm(a.lib)
    for peer in a.peers.split(","):
        check(peer, ours)
        print(f"| {peer} | checked against diffhmm on a shared input: log Z and gradient agree | | |", flush=True)
        for L in [int(x) for x in a.lengths.split(",")]:
            if peer == "published" and L > a.published_max_length:
                rows.append({"peer": peer, "L": L, "forward_ms": None, "forward_backward_ms": None})
                print(f"| {peer} | {L} | not run | not run (O(L^2)) |", flush=True)
                continue
            f, fb = time_peer(peer, a.batch, a.states, L, a.reps)
            rows.append({"peer": peer, "L": L, "forward_ms": f, "forward_backward_ms": fb})
            print(f"| {peer} | {L} | {f:.1f} | {fb:.1f} |", flush=True)
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
