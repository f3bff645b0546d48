//===- Diagnostics.cpp - User-facing error reporting ----------------------===//
//
// Part of dgc. Prints `file:line:col: severity: message`, the source line and
// a caret under the column. Tabs in the source line are kept so the caret
// lines up in a terminal.
//
//===----------------------------------------------------------------------===//
#include "Support/Diagnostics.h"

#include <cassert>
#include <cctype>

namespace dgc {

void DiagnosticEngine::report(Severity sev, SourceLoc loc,
                              const std::string &msg) {
  assert(!msg.empty() && "empty diagnostic");
  assert(!std::isupper(static_cast<unsigned char>(msg[0])) ||
         (msg.size() > 1 && std::isupper(static_cast<unsigned char>(msg[1]))));
  assert(msg.back() != '.' && "diagnostics have no final period");
  if (sev == Severity::Error) {
    if (errors == 0) {
      firstLoc = loc;
      firstMsg = msg;
    }
    ++errors;
    if (errors == limit + 1) {
      std::fprintf(out, "dgc: error: too many errors emitted, stopping now\n");
      return;
    }
    if (errors > limit)
      return;
  } else if (errors > limit) {
    return;
  }
  const char *word = sev == Severity::Error     ? "error"
                     : sev == Severity::Warning ? "warning"
                                                : "note";
  if (!loc.isValid() || loc.buffer == 0) {
    std::fprintf(out, "dgc: %s: %s\n", word, msg.c_str());
    return;
  }
  std::fprintf(out, "%s:%u:%u: %s: %s\n", sm.name(loc.buffer).c_str(),
               loc.line, loc.col, word, msg.c_str());
  std::string_view line = sm.lineText(loc.buffer, loc.line);
  if (line.size() > 400)
    return; // a pathological line: the location is enough
  std::string text(line);
  for (char &c : text)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
      c = ' ';
  std::string caret;
  for (uint32_t i = 1; i < loc.col && i - 1 < text.size(); ++i)
    caret += text[i - 1] == '\t' ? '\t' : ' ';
  caret += '^';
  std::fprintf(out, "%s\n%s\n", text.c_str(), caret.c_str());
}

} // namespace dgc
