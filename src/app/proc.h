/* proc.h — sys.spawn: a child process tree that always ends (proc.c). */
#ifndef EMBER_PROC_H
#define EMBER_PROC_H

#include <lua.h>

/* Adds spawn to the table on top of the stack and registers proc's metatable. */
void em_proc_register(lua_State *L);

#endif
