// thread_pool.cpp — see thread_pool.h. Workers spin briefly before sleeping so that the
// fork-join per time step of the state-parallel sweep (cpu/sweep.cpp) does not pay a futex
// wake-up each step.
#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace diffhmm {
namespace {

struct Job {
    const IndexFn* fn = nullptr;
    int64_t n = 0;
    int max_slots = 1;
    int slots = 1;  // slot 0 belongs to the caller; guarded by Pool::mutex
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    std::atomic<int> active{0};  // workers inside run(); the caller waits for 0 before returning
    std::exception_ptr error;    // first exception thrown by fn; guarded by error_mutex
    std::mutex error_mutex;

    void run(int slot) {
        for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) {
            try {
                (*fn)(i, slot);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
            done.fetch_add(1, std::memory_order_acq_rel);
        }
    }
    bool wants_help() const { return next.load(std::memory_order_relaxed) < n && slots < max_slots; }
};

class Pool {
public:
    Pool() {
        const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        threads_ = int(hw);
        for (unsigned w = 1; w < hw; ++w) std::thread([this] { work(); }).detach();
    }
    int threads() const { return threads_; }

    void parallel_for(int64_t n, int max_threads, const IndexFn& fn) {
        Job job;
        job.fn = &fn;
        job.n = n;
        job.max_slots = int(std::min<int64_t>({int64_t(max_threads), int64_t(threads_), n}));
        if (job.max_slots > 1) {
            std::lock_guard<std::mutex> lock(mutex_);
            jobs_.push_back(&job);
            generation_.fetch_add(1, std::memory_order_release);
        }
        if (job.max_slots > 1) wake_.notify_all();
        job.run(0);
        while (job.done.load(std::memory_order_acquire) < n) std::this_thread::yield();
        if (job.max_slots > 1) {
            std::lock_guard<std::mutex> lock(mutex_);
            jobs_.erase(std::find(jobs_.begin(), jobs_.end(), &job));
        }
        // No worker can enter the job any more; wait for those still leaving run().
        while (job.active.load(std::memory_order_acquire) > 0) std::this_thread::yield();
        if (job.error) std::rethrow_exception(job.error);
    }

private:
    // Called with mutex_ held: a job that wants another thread, or null.
    Job* claimable() {
        for (Job* job : jobs_)
            if (job->wants_help()) return job;
        return nullptr;
    }

    void work() {
        uint64_t seen = 0;
        for (;;) {
            // Spin for a short while: new jobs often arrive within microseconds.
            const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
            while (generation_.load(std::memory_order_acquire) == seen &&
                   std::chrono::steady_clock::now() < spin_until)
                std::this_thread::yield();
            Job* job = nullptr;
            int slot = 0;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] {
                    return generation_.load(std::memory_order_acquire) != seen || claimable() != nullptr;
                });
                seen = generation_.load(std::memory_order_acquire);
                job = claimable();
                if (job == nullptr) continue;
                slot = job->slots++;
                job->active.fetch_add(1, std::memory_order_acq_rel);
            }
            job->run(slot);
            job->active.fetch_sub(1, std::memory_order_acq_rel);
        }
    }

    int threads_ = 1;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job*> jobs_;
    std::atomic<uint64_t> generation_{0};
};

// Never destroyed: detached workers may still be parked in it while the process exits.
Pool& pool() {
    static Pool* instance = new Pool();
    return *instance;
}

}  // namespace

int pool_threads() { return pool().threads(); }

void parallel_for(int64_t n, int max_threads, const IndexFn& fn) {
    if (n <= 0) return;
    if (n == 1 || max_threads <= 1) {
        for (int64_t i = 0; i < n; ++i) fn(i, 0);
        return;
    }
    pool().parallel_for(n, max_threads, fn);
}

}  // namespace diffhmm
