/* markdown.c — the `ember.markdown` Lua module: CommonMark (libcmark) parsed
** into a flat list of blocks the lesson runner renders and splits into cells:
**
**   local blocks = require("ember.markdown").parse(text)
**   -- {type="heading", level=1, text="Tensors", spans={...}, line=1}
**   -- {type="paragraph", text="...", spans={{text="a "}, {text="x", code=true}}}
**   -- {type="code", info="lua id=make", text="x = 1\n", line=7}
**   -- {type="html", text=...}  {type="rule"}
**
** Every block has `line` (its first line in the source), `indent` (how many
** lists it is inside), `quote` (how many block quotes); the first block of a
** list item has `bullet` ("-" or "3."), and blocks in tight lists `tight`.
** A span is {text=, code=, emph=, strong=, link=url}. Not here: rendering
** (lua/ember/lesson/render.lua) and what a lesson means (parse.lua).
**
** Untrusted input is fine: the walk is iterative (cmark's iterator), nesting
** deeper than MD_MAX_DEPTH and input over MD_MAX_BYTES are clear errors, and
** every allocation lives in a userdata whose __gc frees it when an error
** unwinds. Invalid UTF-8 is replaced by U+FFFD (CMARK_OPT_VALIDATE_UTF8). */
#include <cmark.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD_MAX_BYTES (8u << 20)
#define MD_MAX_DEPTH 64
#define MD_DOC "ember.markdown.doc"

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

typedef struct {
    int ordered, next, tight;
    char delim;
} ListFrame;

/* Everything a parse allocates, freed by __gc (also after an error). */
typedef struct {
    cmark_node *root;
    cmark_iter *iter;
    Buf span, plain;
} Doc;

static int doc_gc(lua_State *L)
{
    Doc *d = luaL_checkudata(L, 1, MD_DOC);
    if (d->iter) cmark_iter_free(d->iter);
    if (d->root) cmark_node_free(d->root);
    free(d->span.p);
    free(d->plain.p);
    memset(d, 0, sizeof *d);
    return 0;
}

static void buf_add(lua_State *L, Buf *b, const char *s, size_t n)
{
    if (n == 0) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) luaL_error(L, "markdown: out of memory");
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* The inline state of the paragraph or heading being collected. */
typedef struct {
    int emph, strong, code;
    const char *link;       /* innermost link's url, NULL outside links */
    int spans_idx, nspans;  /* stack slot of the spans table, its length */
    int has_pending;
    int p_emph, p_strong, p_code;
    const char *p_link;
} Inl;

static void flush_span(lua_State *L, Doc *d, Inl *in)
{
    if (!in->has_pending || d->span.len == 0) {
        in->has_pending = 0;
        d->span.len = 0;
        return;
    }
    lua_createtable(L, 0, 4);
    lua_pushlstring(L, d->span.p, d->span.len);
    lua_setfield(L, -2, "text");
    if (in->p_code) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "code");
    }
    if (in->p_emph) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "emph");
    }
    if (in->p_strong) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "strong");
    }
    if (in->p_link) {
        lua_pushstring(L, in->p_link);
        lua_setfield(L, -2, "link");
    }
    lua_rawseti(L, in->spans_idx, ++in->nspans);
    in->has_pending = 0;
    d->span.len = 0;
}

/* Appends text with the current style, merging with the pending span when
** the style is the same. */
static void add_text(lua_State *L, Doc *d, Inl *in, const char *s, size_t n, int code)
{
    if (!s || n == 0) return;
    int emph = in->emph > 0, strong = in->strong > 0;
    if (in->has_pending &&
        (in->p_emph != emph || in->p_strong != strong || in->p_code != code || in->p_link != in->link))
        flush_span(L, d, in);
    if (!in->has_pending) {
        in->has_pending = 1;
        in->p_emph = emph;
        in->p_strong = strong;
        in->p_code = code;
        in->p_link = in->link;
    }
    buf_add(L, &d->span, s, n);
    buf_add(L, &d->plain, s, n);
}

static void add_str(lua_State *L, Doc *d, Inl *in, const char *s, int code)
{
    if (s) add_text(L, d, in, s, strlen(s), code);
}

/* Walk state for blocks. */
typedef struct {
    ListFrame lists[MD_MAX_DEPTH];
    int nlists, quote, depth;
    char bullet[32];
    int has_bullet;
    int nblocks;
} Walk;

/* Creates the table for a new block at the top of the stack, with the fields
** every block has. */
static void new_block(lua_State *L, Walk *w, const char *type, cmark_node *node)
{
    lua_createtable(L, 0, 8);
    lua_pushstring(L, type);
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, cmark_node_get_start_line(node));
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, w->nlists);
    lua_setfield(L, -2, "indent");
    lua_pushinteger(L, w->quote);
    lua_setfield(L, -2, "quote");
    if (w->nlists > 0 && w->lists[w->nlists - 1].tight) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "tight");
    }
    if (w->has_bullet) {
        lua_pushstring(L, w->bullet);
        lua_setfield(L, -2, "bullet");
        w->has_bullet = 0;
    }
}

static void end_block(lua_State *L, Walk *w, int result_idx)
{
    lua_rawseti(L, result_idx, ++w->nblocks);
}

/* Collects the inlines of a paragraph or heading (the iterator is just past
** ENTER of `container`) into the block table on top of the stack. */
static void collect_inlines(lua_State *L, Doc *d, cmark_node *container)
{
    Inl in;
    memset(&in, 0, sizeof in);
    lua_newtable(L);
    in.spans_idx = lua_gettop(L);
    d->span.len = 0;
    d->plain.len = 0;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(d->iter)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(d->iter);
        if (n == container && ev == CMARK_EVENT_EXIT) break;
        int enter = ev == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_HTML_INLINE:
        case CMARK_NODE_CUSTOM_INLINE:
            add_str(L, d, &in, cmark_node_get_literal(n), 0);
            break;
        case CMARK_NODE_CODE:
            add_str(L, d, &in, cmark_node_get_literal(n), 1);
            break;
        case CMARK_NODE_SOFTBREAK:
            add_text(L, d, &in, " ", 1, 0);
            break;
        case CMARK_NODE_LINEBREAK:
            add_text(L, d, &in, "\n", 1, 0);
            break;
        case CMARK_NODE_EMPH:
            in.emph += enter ? 1 : -1;
            break;
        case CMARK_NODE_STRONG:
            in.strong += enter ? 1 : -1;
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE: {
            const char *url = cmark_node_get_url(n);
            /* nested links are not valid CommonMark; an image in a link keeps the outer url */
            if (enter && !in.link) in.link = (url && *url) ? url : NULL;
            else if (!enter && in.link == url) in.link = NULL;
            break;
        }
        default:
            break;
        }
    }
    flush_span(L, d, &in);
    lua_setfield(L, -2, "spans");
    lua_pushlstring(L, d->plain.p ? d->plain.p : "", d->plain.len);
    lua_setfield(L, -2, "text");
}

static void too_deep(lua_State *L, cmark_node *n)
{
    luaL_error(L, "markdown: nesting deeper than %d lists/block quotes at line %d", MD_MAX_DEPTH,
               cmark_node_get_start_line(n));
}

/* markdown.parse(text) -> list of blocks */
static int l_parse(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    if (len > MD_MAX_BYTES)
        return luaL_error(L, "markdown: the text is %d KiB, more than the limit of %d KiB",
                          (int)(len >> 10), (int)(MD_MAX_BYTES >> 10));
    Doc *d = lua_newuserdatauv(L, sizeof *d, 0);
    memset(d, 0, sizeof *d);
    luaL_setmetatable(L, MD_DOC);
    d->root = cmark_parse_document(text, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    if (!d->root) return luaL_error(L, "markdown: out of memory");
    d->iter = cmark_iter_new(d->root);
    if (!d->iter) return luaL_error(L, "markdown: out of memory");

    Walk *w = lua_newuserdatauv(L, sizeof *w, 0);   /* large: keep it off the C stack */
    memset(w, 0, sizeof *w);
    lua_newtable(L);
    int result = lua_gettop(L);
    luaL_checkstack(L, 8, "markdown");

    cmark_event_type ev;
    while ((ev = cmark_iter_next(d->iter)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(d->iter);
        int enter = ev == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_BLOCK_QUOTE:
            if (enter && ++w->depth > MD_MAX_DEPTH) too_deep(L, n);
            if (!enter) w->depth--;
            w->quote += enter ? 1 : -1;
            break;
        case CMARK_NODE_LIST:
            if (enter) {
                if (++w->depth > MD_MAX_DEPTH) too_deep(L, n);
                ListFrame *f = &w->lists[w->nlists++];
                f->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
                f->next = cmark_node_get_list_start(n);
                f->tight = cmark_node_get_list_tight(n);
                f->delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
            } else {
                w->depth--;
                w->nlists--;
            }
            break;
        case CMARK_NODE_ITEM:
            if (enter && w->nlists > 0) {
                ListFrame *f = &w->lists[w->nlists - 1];
                if (f->ordered) snprintf(w->bullet, sizeof w->bullet, "%d%c", f->next++, f->delim);
                else snprintf(w->bullet, sizeof w->bullet, "-");
                w->has_bullet = 1;
            } else if (!enter && w->has_bullet) {   /* an empty item */
                new_block(L, w, "paragraph", n);
                lua_pushliteral(L, "");
                lua_setfield(L, -2, "text");
                lua_newtable(L);
                lua_setfield(L, -2, "spans");
                end_block(L, w, result);
            }
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (!enter) break;
            if (cmark_node_get_type(n) == CMARK_NODE_HEADING) {
                new_block(L, w, "heading", n);
                lua_pushinteger(L, cmark_node_get_heading_level(n));
                lua_setfield(L, -2, "level");
            } else {
                new_block(L, w, "paragraph", n);
            }
            collect_inlines(L, d, n);
            end_block(L, w, result);
            break;
        case CMARK_NODE_CODE_BLOCK: {
            new_block(L, w, "code", n);
            const char *info = cmark_node_get_fence_info(n);
            lua_pushstring(L, info ? info : "");
            lua_setfield(L, -2, "info");
            const char *lit = cmark_node_get_literal(n);
            lua_pushstring(L, lit ? lit : "");
            lua_setfield(L, -2, "text");
            end_block(L, w, result);
            break;
        }
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_CUSTOM_BLOCK: {
            if (!enter && cmark_node_get_type(n) == CMARK_NODE_CUSTOM_BLOCK) break;
            new_block(L, w, "html", n);
            const char *lit = cmark_node_get_literal(n);
            lua_pushstring(L, lit ? lit : "");
            lua_setfield(L, -2, "text");
            end_block(L, w, result);
            break;
        }
        case CMARK_NODE_THEMATIC_BREAK:
            new_block(L, w, "rule", n);
            end_block(L, w, result);
            break;
        default:
            break;
        }
    }
    return 1;
}

int luaopen_ember_markdown(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"parse", l_parse}, {NULL, NULL}};
    if (luaL_newmetatable(L, MD_DOC)) {
        lua_pushcfunction(L, doc_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    lua_pushinteger(L, MD_MAX_BYTES);
    lua_setfield(L, -2, "max_bytes");
    lua_pushinteger(L, MD_MAX_DEPTH);
    lua_setfield(L, -2, "max_depth");
    return 1;
}
