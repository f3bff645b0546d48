// std::accumulate and friends are folded over the state or an array; the
// forms with an operation, ranges across two arrays and reads past the end
// are refused at the call.
// RUN: %dgc check %s --function ok --structure=-I | FileCheck %s --check-prefix=OK
// RUN: not %dgc check %s --function withOp --structure=-I 2>&1 | FileCheck %s --check-prefix=OP
// RUN: not %dgc check %s --function twoArrays --structure=-I 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: not %dgc check %s --function pastEnd --structure=-I 2>&1 | FileCheck %s --check-prefix=END
// RUN: not %dgc check %s --function intOfState --structure=-I 2>&1 | FileCheck %s --check-prefix=INT
#include <array>
#include <functional>
#include <numeric>

// OK: state size: 4 (u: real[4])
double ok(const std::array<double, 4> &u) {
  return std::accumulate(u.begin(), u.end(), 0.0) *
         std::inner_product(u.begin(), u.end(), u.begin(), 0.0);
}

double withOp(const std::array<double, 4> &u) {
  // OP: :[[@LINE+1]]:10: error: 'std::accumulate' is supported in the form (first, last, init), without an operation or execution policy
  return std::accumulate(u.begin(), u.end(), 1.0, std::multiplies<>());
}

double twoArrays(const std::array<double, 4> &u) {
  const std::array<double, 4> w{1, 2, 3, 4};
  // TWO: :[[@LINE+1]]:10: error: the range's first and last iterators are not into one array
  return std::accumulate(u.begin(), w.end(), 0.0);
}

double pastEnd(const std::array<double, 4> &u) {
  std::array<double, 2> w{1, 2};
  // END: :[[@LINE+1]]:10: error: the range reads index 2, out of range (size 2)
  return std::inner_product(u.begin(), u.end(), w.begin(), 0.0);
}

double intOfState(const std::array<double, 4> &u) {
  // INT: :[[@LINE+1]]:10: error: conversion of a value that depends on the state to 'int'
  return std::accumulate(u.begin(), u.end(), 0);
}
