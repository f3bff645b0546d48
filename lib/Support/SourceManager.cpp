//===- SourceManager.cpp - Source buffers and locations -------------------===//
//
// Part of dgc. Buffers are stored whole; line starts are computed once when
// a buffer is added so that a diagnostic's line lookup is a binary search.
//
//===----------------------------------------------------------------------===//
#include "Support/SourceManager.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dgc {

uint32_t SourceManager::addBuffer(std::string name, std::string text) {
  auto buf = std::make_unique<Buffer>();
  buf->name = std::move(name);
  buf->text = std::move(text);
  buf->lineStarts.push_back(0);
  for (size_t i = 0; i < buf->text.size(); ++i)
    if (buf->text[i] == '\n')
      buf->lineStarts.push_back(i + 1);
  buffers.push_back(std::move(buf));
  return static_cast<uint32_t>(buffers.size());
}

uint32_t SourceManager::addFile(const std::string &path, std::string &error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "'" + path + "' is a directory, not a source file";
    return 0;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return 0;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return 0;
  }
  return addBuffer(path, ss.str());
}

std::string_view SourceManager::text(uint32_t id) const {
  return buffers.at(id - 1)->text;
}

const std::string &SourceManager::name(uint32_t id) const {
  return buffers.at(id - 1)->name;
}

std::string_view SourceManager::lineText(uint32_t id, uint32_t line) const {
  if (id == 0 || id > buffers.size())
    return {};
  const Buffer &b = *buffers[id - 1];
  if (line == 0 || line > b.lineStarts.size())
    return {};
  size_t start = b.lineStarts[line - 1];
  size_t end = b.text.find('\n', start);
  if (end == std::string::npos)
    end = b.text.size();
  std::string_view s(b.text.data() + start, end - start);
  if (!s.empty() && s.back() == '\r')
    s.remove_suffix(1);
  return s;
}

} // namespace dgc
