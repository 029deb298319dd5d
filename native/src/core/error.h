// error.h — the one C++ exception type of the core. Backends and validation throw diffhmm::Error;
// the C ABI (capi/guard.h) catches it and turns it into a status plus a per-thread message.
#pragma once

#include <stdexcept>
#include <string>

#include "diffhmm/diffhmm.h"

namespace diffhmm {

class Error : public std::runtime_error {
public:
    Error(diffhmm_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    diffhmm_status status() const noexcept { return status_; }

private:
    diffhmm_status status_;
};

[[noreturn]] inline void fail(diffhmm_status status, const std::string& message) {
    throw Error(status, message);
}

}  // namespace diffhmm
