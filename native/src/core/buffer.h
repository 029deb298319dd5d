// buffer.h — a growable, 64-byte aligned block of host memory. Workspaces keep a few of these so
// repeated calls of the same (or smaller) size allocate nothing. Contents are not preserved when it
// grows; allocation failure is an OUT_OF_MEMORY Error.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>

#include "core/error.h"

namespace diffhmm {

class Buffer {
public:
    Buffer() = default;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { std::free(data_); }

    template <class T>
    T* as(size_t count) {
        const size_t bytes = count * sizeof(T);
        if (bytes > capacity_) {
            const size_t rounded = (bytes + 63) / 64 * 64;
            void* fresh = std::aligned_alloc(64, rounded);
            if (fresh == nullptr)
                fail(DIFFHMM_ERROR_OUT_OF_MEMORY,
                     "could not allocate " + std::to_string(rounded) + " bytes of workspace memory");
            std::free(data_);
            data_ = fresh;
            capacity_ = rounded;
        }
        return static_cast<T*>(data_);
    }
    size_t capacity() const { return capacity_; }

private:
    void* data_ = nullptr;
    size_t capacity_ = 0;
};

}  // namespace diffhmm
