//===- SourceManager.h - Source buffers and locations -----------*- C++ -*-===//
//
// Part of dgc. Owns every source buffer the compiler reads and maps a
// SourceLoc (buffer id, 1-based line and column) back to the text of its
// line, which is what diagnostics print under a message.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dgc {

/// A position in a source buffer. Line and column are 1-based; a
/// default-constructed location (buffer 0, line 0) means "no location".
struct SourceLoc {
  uint32_t buffer = 0;
  uint32_t line = 0;
  uint32_t col = 0;

  bool isValid() const { return line != 0; }
};

/// Holds source buffers by id (ids start at 1) and answers line queries.
class SourceManager {
public:
  /// Adds a buffer; returns its id.
  uint32_t addBuffer(std::string name, std::string text);

  /// Reads a file into a new buffer. Returns 0 and sets `error` on failure.
  uint32_t addFile(const std::string &path, std::string &error);

  std::string_view text(uint32_t id) const;
  const std::string &name(uint32_t id) const;

  /// The text of line `line` (1-based) of buffer `id`, without the newline.
  std::string_view lineText(uint32_t id, uint32_t line) const;

private:
  struct Buffer {
    std::string name;
    std::string text;
    std::vector<size_t> lineStarts;
  };
  std::vector<std::unique_ptr<Buffer>> buffers;
};

} // namespace dgc
