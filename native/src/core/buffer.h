// buffer.h — a growable, 64-byte aligned block of host memory. Workspaces keep a few of these so
// repeated calls of the same (or similar) size allocate nothing. It also gives memory back: a request
// for less than a quarter of a large block (over kKeepBytes) moves the block to the request's size
// (keeping the requested prefix), and `age` frees a large block no call has asked for in a while — so
// one large call does not leave every later, smaller call holding its memory. Contents beyond the
// requested count are not preserved; allocation failure is an OUT_OF_MEMORY Error.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"

namespace diffhmm {

class Buffer {
public:
    // Blocks up to this size are kept whatever the requests (they cost little and are always reused).
    static constexpr size_t kKeepBytes = size_t(1) << 20;
    // A large block shrinks when a request needs less than 1/kShrinkRatio of it.
    static constexpr size_t kShrinkRatio = 4;
    // ... and is freed after this many calls on its workspace that did not ask for it (age()).
    static constexpr int kIdleCalls = 8;

    Buffer() = default;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { std::free(data_); }

    // At least `count` elements; the first `count` elements of what the block held are kept unless it
    // grows.
    template <class T>
    T* as(size_t count) {
        const size_t bytes = count * sizeof(T);
        touched_ = true;
        if (bytes > capacity_) {
            replace(bytes, 0);
        } else if (capacity_ > kKeepBytes && bytes < capacity_ / kShrinkRatio) {
            replace(bytes, bytes);
        }
        return static_cast<T*>(data_);
    }
    size_t capacity() const { return capacity_; }

    // Called once after each call on the workspace: a large block that no call asked for in the last
    // kIdleCalls calls is freed.
    void age() {
        if (touched_) {
            idle_ = 0;
        } else if (++idle_ >= kIdleCalls && capacity_ > kKeepBytes) {
            std::free(data_);
            data_ = nullptr;
            capacity_ = 0;
        }
        touched_ = false;
    }

private:
    // A block of `bytes` (rounded up to a cache line) holding the first `keep` bytes of the old one.
    void replace(size_t bytes, size_t keep) {
        const size_t rounded = (bytes + 63) / 64 * 64 + (bytes == 0 ? 64 : 0);
        void* fresh = std::aligned_alloc(64, rounded);
        if (fresh == nullptr)
            fail(DIFFHMM_ERROR_OUT_OF_MEMORY, "could not allocate " + std::to_string(rounded) + " bytes of workspace memory");
        if (keep > 0) std::memcpy(fresh, data_, keep);
        std::free(data_);
        data_ = fresh;
        capacity_ = rounded;
    }

    void* data_ = nullptr;
    size_t capacity_ = 0;
    bool touched_ = false;
    int idle_ = 0;
};

}  // namespace diffhmm
