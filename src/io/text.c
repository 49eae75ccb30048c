/* text.c — the escaping of text.h. One pass over the bytes: printable ASCII
** is copied, a valid UTF-8 sequence is copied unless its code point is a
** control (C1) or a bidi / line-separator / invisible-format character, and
** everything else becomes a decimal Lua escape (three digits when a digit
** follows, as string.format("%q") writes them). */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct sink {
    char *out;
    size_t cap, len;
} sink;

static void put(sink *k, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++, k->len++)
        if (k->len + 1 < k->cap) k->out[k->len] = p[i];
}

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code
** point, or 0 when it is not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    uint32_t c = len == 1 ? b : len == 2 ? b & 0x1Fu : len == 3 ? b & 0x0Fu : b & 0x07u;
    for (size_t j = 1; j < len; j++) {
        if ((s[j] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[j] & 0x3Fu);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min_cp[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

/* Code points shown escaped although valid: C1 controls, and the format
** characters that reorder, hide or break lines (Trojan-source style). */
static bool hidden(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200B || c == 0x200E || c == 0x200F ||
           (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

static void put_byte_escape(sink *k, unsigned char b, unsigned char next, bool has_next)
{
    char buf[8];
    int w;
    if (b == '\n') w = snprintf(buf, sizeof buf, "\\n");
    else if (b == '\r') w = snprintf(buf, sizeof buf, "\\r");
    else if (b == '\t') w = snprintf(buf, sizeof buf, "\\t");
    else if (has_next && next >= '0' && next <= '9') w = snprintf(buf, sizeof buf, "\\%03u", (unsigned)b);
    else w = snprintf(buf, sizeof buf, "\\%u", (unsigned)b);
    put(k, buf, (size_t)w);
}

size_t em_text_escape(const char *s, size_t n, char quote, char *out, size_t cap)
{
    sink k = {out, cap, 0};
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char b = p[i];
        uint32_t cp = 0;
        size_t len = utf8_seq(p + i, n - i, &cp);
        if (len == 1 && b >= 0x20 && b != 0x7F) {
            if (quote && (b == '\\' || b == (unsigned char)quote)) put(&k, "\\", 1);
            put(&k, (const char *)p + i, 1);
            i++;
        } else if (len > 1 && !hidden(cp)) {
            put(&k, (const char *)p + i, len);
            i += len;
        } else {
            size_t m = len ? len : 1;    /* a control, a hidden code point, or one stray byte */
            for (size_t j = 0; j < m; j++)
                put_byte_escape(&k, p[i + j], i + j + 1 < n ? p[i + j + 1] : 0, i + j + 1 < n);
            i += m;
        }
    }
    if (cap > 0) out[k.len < cap ? k.len : cap - 1] = '\0';
    return k.len;
}

const char *em_text_safe(const char *s, size_t n, char *out, size_t cap)
{
    size_t need = em_text_escape(s, n, 0, out, cap);
    if (need >= cap && cap >= 4) {
        /* cut at a character boundary (never inside an escape or a UTF-8 sequence) */
        size_t cut = cap - 4;
        while (cut > 0 && ((unsigned char)out[cut] & 0xC0) == 0x80) cut--;
        size_t esc = cut;
        while (esc > 0 && cut - esc < 4 && out[esc - 1] != '\\') esc--;
        if (esc > 0 && out[esc - 1] == '\\' && cut - esc < 4) cut = esc - 1;
        memcpy(out + cut, "...", 4);
    }
    return out;
}
