/* host.h — creating the Lua state ember runs in: standard libraries, the
** torch C module preloaded, package.path pointing at ember's lua/ folder,
** `torch` as a global; and running a chunk with a traceback. */
#ifndef EMBER_HOST_H
#define EMBER_HOST_H

#include <lua.h>

/* A new state with everything loaded, or NULL (message printed). */
lua_State *em_host_new(void);
/* Runs the function on top of the stack with nargs arguments under a
** traceback handler. Returns a Lua status; on error the message (with
** traceback) is on the stack. */
int em_host_pcall(lua_State *L, int nargs, int nresults);
/* Pushes a line of advice for an error message that a Python habit caused
** (hints.c), looking at the erroring function at stack level `level`;
** returns 1, or 0 (nothing pushed) when there is none. */
int em_push_error_hint(lua_State *L, const char *msg, int level);
/* The folder holding lua/torch and lua/ember. */
const char *em_host_lua_dir(void);

#endif
