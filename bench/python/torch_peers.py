"""PyTorch peers of diffhmm's dense forward/backward, with the same semantics (DESIGN.md §1.1).

  published  the published baseline: a Python loop that slices potential[:, t] every step;
             autograd's backward through the slices is O(L^2).
  linear     the same loop with the time axis unbound once (torch.unbind): linear backward.

Every peer is checked against diffhmm's semantics on a shared input before timing (log Z and the
gradient of sum(log Z) against a float64 run of the linear peer). Times are medians of repetitions,
inputs regenerated per length. Usage:

  python3 torch_peers.py [--batch 8] [--states 50] [--lengths 100,1000,3000] [--threads 2]
                         [--peers published,linear] [--reps 3] [--json out.json]
"""
import argparse
import json
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


PEERS = {"published": log_z_published, "linear": log_z_linear}


def check(peer, B=3, T=6, N=4):
    """Compares a peer with the float64 linear recursion on a shared small input (ragged lengths)."""
    g = torch.Generator().manual_seed(7)
    pot = torch.rand(B, T, N, N, generator=g, dtype=torch.float64) * 4 - 3
    lengths = torch.tensor([T, 1, T - 2])
    ref_in = pot.clone().requires_grad_(True)
    ref = log_z_linear(ref_in, lengths)
    ref.sum().backward()
    x = pot.float().requires_grad_(True)
    got = PEERS[peer](x, lengths)
    got.sum().backward()
    assert torch.allclose(got.double(), ref, atol=1e-4), (peer, got, ref)
    assert torch.allclose(x.grad.double(), ref_in.grad, atol=1e-5), peer


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
    ap.add_argument("--peers", default="published,linear")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    rows = []
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, B={a.batch} N={a.states}, float32 dense")
    print("| peer | L | forward ms | forward+backward ms |\n|---|---|---|---|")
    for peer in a.peers.split(","):
        check(peer)
        for L in [int(x) for x in a.lengths.split(",")]:
            f, fb = time_peer(peer, a.batch, a.states, L, a.reps)
            rows.append({"peer": peer, "L": L, "forward_ms": f, "forward_backward_ms": fb})
            print(f"| {peer} | {L} | {f:.1f} | {fb:.1f} |", flush=True)
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
