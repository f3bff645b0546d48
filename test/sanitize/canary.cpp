// run-sanitize's check of itself: built with the suite's sanitizer flags
// (test/sanitize/CMakeLists.txt) and run with its environment before the
// suite, this must leave a report naming this file in the log folder:
// argument "asan", a heap read past the end (AddressSanitizer); "ubsan", a
// signed overflow (UBSan's trap, reported by ASan). Otherwise a report of
// the suite could go unseen.
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  volatile int n = 4;
  if (std::strcmp(argv[1], "asan") == 0) {
    std::vector<int> v(static_cast<size_t>(n), 1);
    return v.data()[n]; // one past the end
  }
  if (std::strcmp(argv[1], "ubsan") == 0) {
    int big = 2147483647 - 3 + n; // INT_MAX + 1
    std::printf("%d\n", big);
    return 0;
  }
  return 2;
}
