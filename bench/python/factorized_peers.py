"""The factorized form (shared init [N] and transitions [N][N], emissions [B][T][N]: what neural-HMM
training runs) against its PyTorch peers, timed in one process on the same threads:

  diffhmm   the C ABI through ctypes (diffhmm_forward/backward_factorized), gradients of init, trans
            and emit; its CPU path is forced per workspace (diffhmm_workspace_set_option,
            DIFFHMM_CPU_FACTORIZED — prob: matrix products in probability space, the default; log:
            log-space steps) — both are timed
  matmul    the usual PyTorch recursion in probability space: alpha @ exp(trans) times exp(emit),
            rescaled every step, autograd for the gradients (time axis unbound once: linear backward)
  logspace  logsumexp(alpha[:, :, None] + trans) + emit per step, autograd

Every peer is first checked against diffhmm on a shared float32 input with ragged lengths (log Z and
the three gradients of sum(log Z)). Times are medians of repetitions. Usage:

  python3 factorized_peers.py [--batch 1024] [--states 64] [--lengths 1000] [--threads 2] [--reps 3]
                              [--peers matmul,logspace] [--json out.json] [--lib path]
"""
import argparse
import ctypes
import json
import os
import statistics
import time

import torch


def log_z_matmul(init, trans, emit, lengths):
    """Scaled probability-space forward: one [B, N] x [N, N] product per step."""
    B, T, N = emit.shape
    A = trans.exp()
    steps = emit.unbind(1)
    a = init + steps[0]
    m = a.max(-1, keepdim=True).values
    alpha = (a - m).exp()
    log_c = m.squeeze(-1)
    log_z = torch.where(lengths == 1, log_c + alpha.sum(-1).log(), torch.zeros_like(log_c))
    for t in range(1, T):
        e = steps[t]
        e_max = e.max(-1, keepdim=True).values
        alpha = (alpha @ A) * (e - e_max).exp()
        s = alpha.sum(-1, keepdim=True)
        alpha = alpha / s
        log_c = log_c + e_max.squeeze(-1) + s.squeeze(-1).log()
        log_z = torch.where(lengths == t + 1, log_c, log_z)
    return log_z


def log_z_logspace(init, trans, emit, lengths):
    """Log-space forward: logsumexp over the previous state every step."""
    B, T, N = emit.shape
    steps = emit.unbind(1)
    alpha = init + steps[0]
    log_z = torch.where(lengths == 1, torch.logsumexp(alpha, -1), torch.zeros(B, dtype=emit.dtype))
    for t in range(1, T):
        alpha = torch.logsumexp(alpha.unsqueeze(-1) + trans, dim=1) + steps[t]
        log_z = torch.where(lengths == t + 1, torch.logsumexp(alpha, -1), log_z)
    return log_z


PEERS = {"matmul": log_z_matmul, "logspace": log_z_logspace}


class Diffhmm:
    """diffhmm's factorized forward and backward (float32, CPU) through ctypes."""

    def __init__(self, path, threads):
        self.lib = ctypes.CDLL(path)
        self.lib.diffhmm_last_error.restype = ctypes.c_char_p
        self.ws = ctypes.c_void_p()
        self._check(self.lib.diffhmm_workspace_create(0, ctypes.byref(self.ws)))
        self._check(self.lib.diffhmm_workspace_set_num_threads(self.ws, threads))

    def _check(self, status):
        if status != 0:
            raise RuntimeError(self.lib.diffhmm_last_error().decode())

    def path(self, path):
        """Forces the CPU path of the factorized calls: prob or log (diffhmm_workspace_set_option)."""
        self._check(self.lib.diffhmm_workspace_set_option(self.ws, b"DIFFHMM_CPU_FACTORIZED", path.encode()))

    def forward(self, init, trans, emit, lengths, log_z):
        B, T, N = emit.shape
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        self._check(self.lib.diffhmm_forward_factorized(
            self.ws, 0, 0, i64(B), i64(T), i64(N), i64(1), ptr(init.data_ptr()), 0, ptr(trans.data_ptr()), None,
            ptr(emit.data_ptr()), ptr(lengths.data_ptr()), ptr(log_z.data_ptr())))

    def backward(self, init, trans, emit, lengths, g, g_init, g_trans, g_emit):
        B, T, N = emit.shape
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        self._check(self.lib.diffhmm_backward_factorized(
            self.ws, 0, 0, i64(B), i64(T), i64(N), i64(1), ptr(init.data_ptr()), 0, ptr(trans.data_ptr()), None,
            ptr(emit.data_ptr()), ptr(lengths.data_ptr()), ptr(g.data_ptr()), ptr(g_init.data_ptr()),
            ptr(g_trans.data_ptr()), ptr(g_emit.data_ptr())))

    def forward_backward(self, init, trans, emit, lengths):
        B, T, N = emit.shape
        log_z = torch.zeros(B)
        g_init, g_trans, g_emit = torch.zeros(N), torch.zeros(N, N), torch.zeros(B, T, N)
        self.forward(init, trans, emit, lengths, log_z)
        self.backward(init, trans, emit, lengths, torch.ones(B), g_init, g_trans, g_emit)
        return log_z, g_init, g_trans, g_emit


def problem(B, T, N, seed):
    g = torch.Generator().manual_seed(seed)
    init = torch.log_softmax(torch.randn(N, generator=g), -1)
    trans = torch.log_softmax(torch.randn(N, N, generator=g), -1)
    emit = torch.rand(B, T, N, generator=g) * 4 - 3
    return init.contiguous(), trans.contiguous(), emit.contiguous()


def check(peer, ours):
    """A peer against diffhmm (both CPU paths) on a shared float32 input with ragged lengths."""
    init, trans, emit = problem(4, 11, 6, 7)
    lengths = torch.tensor([11, 1, 7, 4], dtype=torch.int64)
    x = [t.clone().requires_grad_(True) for t in (init, trans, emit)]
    got = PEERS[peer](*x, lengths)
    got.sum().backward()
    for path in ("prob", "log"):
        ours.path(path)
        want = ours.forward_backward(init, trans, emit, lengths)
        assert torch.allclose(got, want[0], atol=1e-4), (peer, path, got, want[0])
        for name, a, b in zip(("init", "trans", "emit"), (x[0].grad, x[1].grad, x[2].grad), want[1:]):
            assert torch.allclose(a, b, atol=2e-4), (peer, path, name, (a - b).abs().max())


def median_times(run, backward, reps):
    fwd, both = [], []
    for r in range(reps + 1):
        t0 = time.perf_counter()
        out = run()
        t1 = time.perf_counter()
        backward(out)
        t2 = time.perf_counter()
        if r == 0:
            continue  # warm-up: first-touch of buffers
        fwd.append((t1 - t0) * 1e3)
        both.append((t2 - t0) * 1e3)
    return statistics.median(fwd), statistics.median(both)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--states", type=int, default=64)
    ap.add_argument("--lengths", default="1000")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--peers", default="matmul,logspace")
    ap.add_argument("--lib", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "java",
                                                  "core", "target", "native", "lib", "libdiffhmm.so"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", default=None)
    ap.add_argument("--max-saved-gb", type=float, default=4.0,
                    help="skip the logspace peer when autograd would keep more (it saves a [B, N, N] tensor per step)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    threads = torch.get_num_threads()
    ours = Diffhmm(a.lib, threads)
    blas = next((part.split("=")[1] for part in torch.__config__.show().replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?")
    print(f"torch {torch.__version__} (BLAS_INFO={blas}), threads {threads} (diffhmm the same), B={a.batch} N={a.states}, "
          f"float32 factorized")
    peers = a.peers.split(",") if a.peers else []
    for peer in peers:
        check(peer, ours)
        print(f"{peer}: checked against diffhmm (prob and log paths): log Z and the three gradients agree", flush=True)
    print("| implementation | L | forward ms | forward+backward ms |\n|---|---|---|---|")
    rows = []
    for L in [int(x) for x in a.lengths.split(",")]:
        init, trans, emit = problem(a.batch, L, a.states, 1)
        lengths = torch.full((a.batch,), L, dtype=torch.int64)
        log_z = torch.zeros(a.batch)
        g = torch.ones(a.batch)
        g_init, g_trans, g_emit = torch.zeros(a.states), torch.zeros(a.states, a.states), torch.zeros_like(emit)
        for path in ("prob", "log"):
            ours.path(path)
            f, fb = median_times(lambda: ours.forward(init, trans, emit, lengths, log_z),
                                 lambda _: ours.backward(init, trans, emit, lengths, g, g_init, g_trans, g_emit), a.reps)
            rows.append({"impl": "diffhmm-" + path, "L": L, "forward_ms": f, "forward_backward_ms": fb})
            print(f"| diffhmm ({path}) | {L} | {f:.1f} | {fb:.1f} |", flush=True)
        for peer in peers:
            saved = a.batch * a.states * a.states * L * 4 if peer == "logspace" else 0
            if saved > a.max_saved_gb * 1e9:
                rows.append({"impl": "torch-" + peer, "L": L, "forward_ms": None, "forward_backward_ms": None})
                print(f"| torch {peer} | {L} | not run: autograd would keep {saved / 1e9:.0f} GB | |", flush=True)
                continue
            x = [t.clone().requires_grad_(True) for t in (init, trans, emit)]

            def backward(out, x=x):
                for t in x:
                    t.grad = None
                out.sum().backward()

            f, fb = median_times(lambda: PEERS[peer](*x, lengths), backward, a.reps)
            rows.append({"impl": "torch-" + peer, "L": L, "forward_ms": f, "forward_backward_ms": fb})
            print(f"| torch {peer} | {L} | {f:.1f} | {fb:.1f} |", flush=True)
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"torch": torch.__version__, "threads": threads, "batch": a.batch, "states": a.states,
                       "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
