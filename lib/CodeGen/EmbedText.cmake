# Writes the file IN as a C++ raw string literal into OUT, split into chunks
# under compilers' string-literal limits.
file(READ ${IN} text)
string(LENGTH "${text}" n)
set(out "// Generated from ${IN} by EmbedText.cmake; do not edit.\n")
string(APPEND out "static const char *const kPrologueChunks[] = {\n")
set(pos 0)
while(pos LESS n)
  string(SUBSTRING "${text}" ${pos} 8000 chunk)
  string(APPEND out "R\"dgcprologue(${chunk})dgcprologue\",\n")
  math(EXPR pos "${pos} + 8000")
endwhile()
string(APPEND out "};\n")
file(WRITE ${OUT} "${out}")
