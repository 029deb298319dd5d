// semiring_test.cpp — core/semiring.h, the scalar semirings the CUDA kernels accumulate with: an
// online log-sum-exp (base e and 2) equals the float64 sum of exponentials however its terms are
// split and merged (−inf terms add nothing); max-plus keeps the best term and, on ties, the lowest
// source, in whatever order partial results merge.
#include <algorithm>

#include "core/semiring.h"
#include "harness.h"

namespace {

using diffhmm::semiring::Base2;
using diffhmm::semiring::BaseE;

template <class Base>
double direct(const std::vector<double>& v) {
    double m = -INFINITY;
    for (double x : v) m = std::max(m, x);
    if (m == -INFINITY) return m;
    double s = 0;
    for (double x : v) s += std::is_same<Base, BaseE>::value ? std::exp(x - m) : std::exp2(x - m);
    return m + (std::is_same<Base, BaseE>::value ? std::log(s) : std::log2(s));
}

template <class Base>
void log_sum_exp_is_the_sum(std::mt19937_64& rng) {
    using L = diffhmm::semiring::LogSumExp<double, Base>;
    std::uniform_real_distribution<double> u(-40.0, 40.0);
    for (int round = 0; round < 200; ++round) {
        std::vector<double> v(size_t(1 + round % 37));
        for (double& x : v) x = round % 5 == 0 && rng() % 3 == 0 ? -INFINITY : u(rng);
        typename L::Acc all, left, right;
        const size_t cut = size_t(rng() % v.size());
        for (size_t i = 0; i < v.size(); ++i) {
            L::push(all, v[i], int32_t(i));
            L::push(i < cut ? left : right, v[i], int32_t(i));
        }
        L::merge(left, right);
        const double want = direct<Base>(v);
        for (double got : {L::value(all), L::value(left)}) {
            CHECK_MSG(std::isinf(want) ? got == want : std::abs(got - want) <= 1e-12 * std::max(1.0, std::abs(want)),
                      "round " << round << ": " << got << " != " << want);
        }
    }
}

}  // namespace

TEST(semiring_log_sum_exp_equals_the_sum_however_split) {
    std::mt19937_64 rng(3);
    log_sum_exp_is_the_sum<BaseE>(rng);
    log_sum_exp_is_the_sum<Base2>(rng);
}

TEST(semiring_max_plus_keeps_the_lowest_best_source_in_any_merge_order) {
    using M = diffhmm::semiring::MaxPlus<float>;
    std::mt19937_64 rng(4);
    for (int round = 0; round < 200; ++round) {
        std::vector<float> v(size_t(1 + round % 29));
        for (float& x : v) x = rng() % 4 == 0 ? -INFINITY : float(rng() % 5);  // many exact ties
        int32_t want = -1;
        for (size_t i = 0; i < v.size(); ++i)
            if (v[i] > -INFINITY && (want < 0 || v[i] > v[size_t(want)])) want = int32_t(i);
        // Four lanes take every fourth source, then merge in a random order.
        M::Acc lanes[4];
        for (size_t i = 0; i < v.size(); ++i) M::push(lanes[i % 4], v[i], int32_t(i));
        int order[4] = {0, 1, 2, 3};
        std::shuffle(order, order + 4, rng);
        M::Acc acc = lanes[order[0]];
        for (int k = 1; k < 4; ++k) M::merge(acc, lanes[order[k]]);
        CHECK_MSG(acc.arg == want, "round " << round << ": source " << acc.arg << ", expected " << want);
        CHECK(want < 0 ? acc.best == -INFINITY : acc.best == v[size_t(want)]);
    }
}
