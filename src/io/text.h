/* text.h — text from a file, made safe to show on a terminal: control
** characters (C0, DEL, C1), bytes that are not UTF-8, and the Unicode
** controls that reorder or hide text (bidi overrides, line separators) are
** written as Lua escapes ("\27", "\n", "\226\128\174"), so a file cannot
** set the terminal title, clear the screen or disguise a name. The result
** reads back as the same bytes in a Lua string literal. This is the one
** escaping function: torch.io.escape (bind/lua_io.c) exposes it to Lua,
** where ember.pretty and ember.inspect use it; C messages that quote a file
** use em_text_safe. Not here: deciding what to print. */
#ifndef EMBER_TEXT_H
#define EMBER_TEXT_H

#include <stddef.h>

/* Writes the escaped form of s[0..n) to out (at most cap bytes, always
** NUL-terminated when cap > 0) and returns its full length (like snprintf).
** quote: 0 for bare text; '"' or '\'' to also escape that quote and the
** backslash (the inside of a Lua string literal; the caller adds the
** quotes). */
size_t em_text_escape(const char *s, size_t n, char quote, char *out, size_t cap);

/* Bare escaped text for a message: out (cap >= 4) holds at most cap-1 bytes;
** when the escaped text is longer it ends in "...". Returns out. */
const char *em_text_safe(const char *s, size_t n, char *out, size_t cap);

#endif
