/*
 * diffhmm.h — the C ABI of diffhmm: batched forward-backward message passing for hidden Markov
 * models (log-partition, its exact gradient, Viterbi paths, posterior marginals).
 *
 * This header is the contract between the native core and every caller (the Java binding in
 * org.diffhmm.internal mirrors it 1:1). The recursions are written out in docs/formulas.md; the
 * status codes and how Java maps them are in docs/errors.md.
 *
 * ------------------------------------------------------------------------------------------------
 * Conventions
 * ------------------------------------------------------------------------------------------------
 * Shapes are written [B][T][N][N]: B sequences (batch), T steps (padded length), N hidden states.
 * All arrays are dense, row-major and contiguous; the last index varies fastest.
 * Every score is a natural-log score ("log space"). -inf is a structural zero: an impossible
 * start, transition or emission. It receives zero gradient and never produces NaN. NaN and +inf
 * are invalid input and are reported (DIFFHMM_ERROR_INVALID_VALUE, naming the first offending
 * index) unless the caller passes DIFFHMM_FLAG_TRUSTED_INPUT.
 *
 * dtype selects float32 or float64 for every floating-point array of one call (inputs, outputs and
 * upstream gradients alike). Index arrays (lengths, trans_index, paths) are always int64.
 *
 * lengths[b] in [0, T] is the number of real steps of sequence b; steps t >= lengths[b] are
 * padding: never read, and written as 0 (gradients, marginals) or -1 (paths). A sequence of length
 * 0 has log_z = 0 and zero gradient. A sequence with no finite-score path has log_z = -inf, zero
 * gradient, zero marginals and a Viterbi path of -1 everywhere.
 *
 * Dense form (compatible with the published HMMForward.apply):
 *   potential[b][t][i][j]  log-score of moving from state i at step t-1 to state j at step t,
 *                          emission included. At t = 0 only row 0 is read: potential[b][0][0][j]
 *                          is the initial log-score of state j (rows 1..N-1 of step 0 are ignored
 *                          and get zero gradient).
 *   log_alpha[t][j] = logsumexp_i(log_alpha[t-1][i] + potential[t][i][j]),
 *   log_z[b]        = logsumexp_j log_alpha[lengths[b]-1][j].
 *
 * Factorized form (what models use; never materialises [B][T][N][N]):
 *   potential[b][0][0][j] = init[b][j] + emit[b][0][j]
 *   potential[b][t][i][j] = trans[k][i][j] + emit[b][t][j],   k = trans_index[b][t], t >= 1
 *   init         [N] shared by the batch (init_batched = 0) or [B][N] (init_batched = 1)
 *   trans        [K][N][N]
 *   trans_index  [B][T], entry t selects the matrix used between steps t-1 and t; entry 0 and
 *                padded entries are ignored. May be NULL when K = 1.
 *   emit         [B][T][N] emission log-likelihoods. May be NULL: no emission scores (all 0, as when
 *                the transitions carry everything, e.g. the clone-structured HMM's blocks); nothing is
 *                read or scanned, and grad_emit (if asked for) is still the node marginals.
 *
 * ------------------------------------------------------------------------------------------------
 * Errors and threads
 * ------------------------------------------------------------------------------------------------
 * Every function returns a status; nothing throws across this boundary and nothing exits.
 * diffhmm_last_error() explains the last failing call made on the calling thread.
 * A workspace is not thread-safe: use one per thread (they are cheap). Different workspaces may
 * be used concurrently. Calls never modify their inputs.
 */
#ifndef DIFFHMM_DIFFHMM_H
#define DIFFHMM_DIFFHMM_H

#include <stdint.h>

#if defined(_WIN32)
#define DIFFHMM_API __declspec(dllexport)
#else
#define DIFFHMM_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status of every call. 0 is success; the others name a class of failure (docs/errors.md). */
typedef enum diffhmm_status {
    DIFFHMM_OK = 0,
    DIFFHMM_ERROR_INVALID_ARGUMENT = 1,    /**< bad shape, null pointer, length, index, flag    */
    DIFFHMM_ERROR_INVALID_VALUE = 2,       /**< NaN or +inf in a score, non-finite upstream grad */
    DIFFHMM_ERROR_BACKEND_UNAVAILABLE = 3, /**< e.g. "CUDA not available: <reason>"             */
    DIFFHMM_ERROR_OUT_OF_MEMORY = 4,       /**< host or device allocation failed                */
    DIFFHMM_ERROR_INVALID_STATE = 5,       /**< backward without a matching forward, ...        */
    DIFFHMM_ERROR_DEVICE = 6,              /**< a CUDA runtime call failed                      */
    DIFFHMM_ERROR_INTERNAL = 7             /**< a bug in diffhmm: please report the message     */
} diffhmm_status;

/** Where a workspace runs its work. */
typedef enum diffhmm_backend {
    DIFFHMM_BACKEND_CPU = 0,      /**< vectorised, multi-threaded C++ backend (always present)   */
    DIFFHMM_BACKEND_CUDA = 1,     /**< NVIDIA GPU backend (when compiled in and a device exists) */
    DIFFHMM_BACKEND_REFERENCE = 2 /**< plain, single-threaded textbook implementation: the test
                                       oracle (with FLOAT64) and the naive same-precision yardstick
                                       (with FLOAT32). Slow; never use it for work.             */
} diffhmm_backend;

typedef enum diffhmm_dtype {
    DIFFHMM_FLOAT32 = 0,
    DIFFHMM_FLOAT64 = 1
} diffhmm_dtype;

/** Instruction set of the CPU backend's inner loops. AUTO picks the widest the CPU supports. */
typedef enum diffhmm_cpu_isa {
    DIFFHMM_CPU_ISA_AUTO = 0,
    DIFFHMM_CPU_ISA_GENERIC = 1, /**< baseline x86-64 (SSE2), 128-bit vectors */
    DIFFHMM_CPU_ISA_AVX2 = 2,    /**< AVX2 + FMA, 256-bit vectors             */
    DIFFHMM_CPU_ISA_AVX512 = 3   /**< AVX-512 F/DQ, 512-bit vectors           */
} diffhmm_cpu_isa;

/** Flags for the calls that read scores. */
enum {
    /** Skip the NaN/+inf check of the scores: the caller vouches for them. Invalid values then
     *  give unspecified (but memory-safe) results. */
    DIFFHMM_FLAG_TRUSTED_INPUT = 1,
    /** Backward only: add the gradients to what the outputs hold (grad += d), as autograd
     *  accumulates into a parameter's gradient, instead of overwriting them (the workspace keeps
     *  scratch memory of the gradients' size for it; on CUDA, device scratch, and host outputs are
     *  staged through the device). */
    DIFFHMM_FLAG_ACCUMULATE = 2
};

/** Opaque: backend choice, thread count, scratch memory and the saved state of the last forward.
 *  Buffers grow to the largest problem seen and are reused, so repeated calls do not allocate. */
typedef struct diffhmm_workspace diffhmm_workspace;

/* ---------------------------------------------------------------------------------------------- */
/* Library and backends                                                                           */
/* ---------------------------------------------------------------------------------------------- */

/** Version string, e.g. "0.1.0". Never NULL. */
DIFFHMM_API const char* diffhmm_version(void);

/** Message of the last failing call on this thread ("" if the last call succeeded). Valid until
 *  the next call on this thread. Never NULL. */
DIFFHMM_API const char* diffhmm_last_error(void);

/** DIFFHMM_OK if the backend can run here; otherwise DIFFHMM_ERROR_BACKEND_UNAVAILABLE with the
 *  reason in diffhmm_last_error() (e.g. "CUDA not available: no CUDA-capable device is detected"). */
DIFFHMM_API diffhmm_status diffhmm_backend_available(int backend);

/** CUDA device 0 described ("NVIDIA H100 80GB HBM3, 81079 MiB, sm_90, driver API 13.0"), or why there is
 *  none. Valid until the next call on this thread. Never NULL. */
DIFFHMM_API const char* diffhmm_cuda_device(void);

/** The widest CPU instruction set this machine supports (a diffhmm_cpu_isa, never AUTO). */
DIFFHMM_API int diffhmm_cpu_isa_supported(void);

/** Number of hardware threads the CPU backend uses by default. */
DIFFHMM_API int diffhmm_cpu_default_threads(void);

/* ---------------------------------------------------------------------------------------------- */
/* Workspace                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

/** Creates a workspace for `backend`. Fails with BACKEND_UNAVAILABLE (and the reason) if the backend
 *  cannot run here. *out is set to NULL on failure. */
DIFFHMM_API diffhmm_status diffhmm_workspace_create(int backend, diffhmm_workspace** out);

/** Frees the workspace and everything it holds. NULL is a no-op. */
DIFFHMM_API diffhmm_status diffhmm_workspace_destroy(diffhmm_workspace* ws);

/** CPU backend: the most threads one call may use (1 = the calling thread only; 0 = default). */
DIFFHMM_API diffhmm_status diffhmm_workspace_set_num_threads(diffhmm_workspace* ws, int num_threads);

/** CPU backend: force an instruction set (a diffhmm_cpu_isa). Asking for one the CPU lacks is
 *  DIFFHMM_ERROR_BACKEND_UNAVAILABLE. */
DIFFHMM_API diffhmm_status diffhmm_workspace_set_cpu_isa(diffhmm_workspace* ws, int isa);

/** CUDA backend: queue the workspace's work on this cudaStream_t (NULL: the default stream). Calls
 *  still return only when their results are in the caller's memory. */
DIFFHMM_API diffhmm_status diffhmm_workspace_set_stream(diffhmm_workspace* ws, void* stream);

/** CUDA backend: run the workspace's calls on this device ordinal (-1, the default: the device that
 *  is current on the calling thread). The device is made current for the duration of each call and
 *  the caller's current device restored afterwards; device memory passed in must belong to it, and
 *  a stream set with diffhmm_workspace_set_stream must be one of its streams. A workspace that ran
 *  on another device first frees what it kept there. An ordinal the machine does not have is
 *  DIFFHMM_ERROR_INVALID_ARGUMENT when a call runs; an ordinal >= 0 on a CPU or reference workspace
 *  is DIFFHMM_ERROR_INVALID_ARGUMENT at once. */
DIFFHMM_API diffhmm_status diffhmm_workspace_set_cuda_device(diffhmm_workspace* ws, int device);

/** Forces a path of the workspace's calls, for benchmarks and tests: `name` is one of the environment
 *  variables a new workspace reads (DIFFHMM_CPU_FACTORIZED = log|prob|tiny, DIFFHMM_CPU_DENSE =
 *  rows|flat, DIFFHMM_CUDA_SWEEP = sequential|pipelined|chunked|batch, DIFFHMM_CUDA_CHUNKS = 1..1024),
 *  `value` one of its values, or "auto" (or "" or NULL) for the planner's choice. An unknown name or
 *  value is DIFFHMM_ERROR_INVALID_ARGUMENT and changes nothing. */
DIFFHMM_API diffhmm_status diffhmm_workspace_set_option(diffhmm_workspace* ws, const char* name, const char* value);

/** Number of CUDA devices this process can use (0 when the CUDA backend is unavailable). */
DIFFHMM_API int diffhmm_cuda_device_count(void);

/** Bytes of memory the workspace holds now: its host buffers plus, for a CUDA workspace, its device
 *  buffers. Buffers grow to the largest problem run on the workspace and are kept for reuse; the
 *  Java API counts them to bound the memory held by results that were never closed. 0 for NULL. */
DIFFHMM_API int64_t diffhmm_workspace_bytes(const diffhmm_workspace* ws);

/** Where the workspace keeps diffhmm_workspace_bytes as of the end of its last call (0 before any):
 *  valid until the workspace is destroyed, written only by calls on it. Lets a binding read the
 *  figure after each call without a second call across its foreign-function boundary. NULL for NULL. */
DIFFHMM_API const int64_t* diffhmm_workspace_bytes_counter(const diffhmm_workspace* ws);

/** The instruction set the workspace's CPU calls actually use (never AUTO). */
DIFFHMM_API int diffhmm_workspace_cpu_isa(const diffhmm_workspace* ws);

/* ---------------------------------------------------------------------------------------------- */
/* Dense potentials [B][T][N][N]                                                                  */
/* ---------------------------------------------------------------------------------------------- */

/** log_z[B] = log-partition of every sequence. Saves log_alpha in the workspace for
 *  diffhmm_backward_dense; a later forward on the same workspace replaces it. */
DIFFHMM_API diffhmm_status diffhmm_forward_dense(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    const void* potential, const int64_t* lengths, void* log_z);

/** grad_potential[B][T][N][N] = grad_log_z[b] * (edge marginals), the exact gradient of
 *  sum_b grad_log_z[b] * log_z[b]. grad_log_z may hold any finite reals (negative, zero, positive).
 *  Requires that the last forward on `ws` was diffhmm_forward_dense with the same dtype, shape and
 *  (unchanged) inputs; otherwise DIFFHMM_ERROR_INVALID_STATE. Every element of grad_potential is
 *  written (0 where the gradient is structurally zero), or with DIFFHMM_FLAG_ACCUMULATE added to
 *  what it holds. flags: DIFFHMM_FLAG_TRUSTED_INPUT, DIFFHMM_FLAG_ACCUMULATE. */
DIFFHMM_API diffhmm_status diffhmm_backward_dense(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    const void* potential, const int64_t* lengths, const void* grad_log_z, void* grad_potential);

/** Most probable path path[B][T] (state indices, -1 at padding) and its score[B] (max-plus
 *  semiring; ties go to the lowest index). Does not touch the saved forward state. */
DIFFHMM_API diffhmm_status diffhmm_viterbi_dense(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    const void* potential, const int64_t* lengths, int64_t* path, void* score);

/** The k highest-scoring paths of every sequence (k-max-plus semiring, 1 <= k <= 64):
 *  paths[B][k][T] (state indices; -1 at padding) and their scores[B][k], best first. Equal scores
 *  are ordered by the reversed path, compared lexicographically from the last state back (so k = 1
 *  is diffhmm_viterbi_dense with its lowest-index tie rule). A sequence with fewer than k finite
 *  paths gets -1 paths and -inf scores for the rest; a sequence of length 0 has one empty path of
 *  score 0. Memory: B·T·N·k int32 back-pointers in the workspace; on CUDA, 2·N·k scores must fit
 *  in 48 KB of shared memory (INVALID_ARGUMENT otherwise). Does not touch the saved forward state. */
DIFFHMM_API diffhmm_status diffhmm_kbest_dense(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    const void* potential, const int64_t* lengths, int64_t k, int64_t* paths, void* scores);

/** Node marginals gamma[B][T][N] = P(z_t = j) and log_z[B] (log_z may be NULL). Edge marginals
 *  are the gradient with grad_log_z = 1. Does not touch the saved forward state. */
DIFFHMM_API diffhmm_status diffhmm_marginals_dense(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    const void* potential, const int64_t* lengths, void* log_z, void* gamma);

/** num_samples paths per sequence drawn from the posterior P(z | x) by forward filtering, backward
 *  sampling: paths[B][num_samples][T] (state indices; -1 at padding and, for a sequence without a
 *  finite path, everywhere). Random numbers come from a counter-based generator keyed by
 *  (seed, b, sample, t): the same seed gives the same paths whatever the thread count. Does not touch
 *  the saved forward state. */
DIFFHMM_API diffhmm_status diffhmm_sample_dense(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    const void* potential, const int64_t* lengths, int64_t num_samples, uint64_t seed, int64_t* paths);

/* ---------------------------------------------------------------------------------------------- */
/* Factorized potentials: init [N] or [B][N], trans [K][N][N] (+ trans_index [B][T]), emit [B][T][N] */
/* ---------------------------------------------------------------------------------------------- */

/** log_z[B]; saves log_alpha for diffhmm_backward_factorized (see diffhmm_forward_dense). */
DIFFHMM_API diffhmm_status diffhmm_forward_factorized(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    int64_t num_trans, const void* init, int init_batched, const void* trans,
    const int64_t* trans_index, const void* emit, const int64_t* lengths, void* log_z);

/** Gradients of sum_b grad_log_z[b] * log_z[b]:
 *    grad_init  (shape of init) = sum over the batch of g[b] * gamma_0 (per b when init_batched),
 *    grad_trans [K][N][N]       = sum over (b, t >= 1) with trans_index[b][t] = k of g[b] * xi_t,
 *    grad_emit  [B][T][N]       = g[b] * gamma_t (0 at padding).
 *  Any of the three outputs may be NULL to skip it. Requires a matching forward (see dense).
 *  flags as for diffhmm_backward_dense (DIFFHMM_FLAG_ACCUMULATE adds into the outputs). */
DIFFHMM_API diffhmm_status diffhmm_backward_factorized(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    int64_t num_trans, const void* init, int init_batched, const void* trans,
    const int64_t* trans_index, const void* emit, const int64_t* lengths, const void* grad_log_z,
    void* grad_init, void* grad_trans, void* grad_emit);

/** Viterbi path and score for the factorized form (see diffhmm_viterbi_dense). */
DIFFHMM_API diffhmm_status diffhmm_viterbi_factorized(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    int64_t num_trans, const void* init, int init_batched, const void* trans,
    const int64_t* trans_index, const void* emit, const int64_t* lengths, int64_t* path,
    void* score);

/** diffhmm_kbest_dense for factorized potentials. */
DIFFHMM_API diffhmm_status diffhmm_kbest_factorized(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    int64_t num_trans, const void* init, int init_batched, const void* trans, const int64_t* trans_index,
    const void* emit, const int64_t* lengths, int64_t k, int64_t* paths, void* scores);

/** Node marginals and log_z for the factorized form (see diffhmm_marginals_dense). */
DIFFHMM_API diffhmm_status diffhmm_marginals_factorized(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    int64_t num_trans, const void* init, int init_batched, const void* trans,
    const int64_t* trans_index, const void* emit, const int64_t* lengths, void* log_z,
    void* gamma);

/** Posterior samples for the factorized form (see diffhmm_sample_dense). */
DIFFHMM_API diffhmm_status diffhmm_sample_factorized(
    diffhmm_workspace* ws, int dtype, int flags, int64_t batch, int64_t steps, int64_t states,
    int64_t num_trans, const void* init, int init_batched, const void* trans,
    const int64_t* trans_index, const void* emit, const int64_t* lengths, int64_t num_samples,
    uint64_t seed, int64_t* paths);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DIFFHMM_DIFFHMM_H */
