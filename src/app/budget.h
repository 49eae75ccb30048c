/* budget.h — the process memory budget (Lua memory + tensor bytes). */
#ifndef EMBER_BUDGET_H
#define EMBER_BUDGET_H

#include <lua.h>
#include <stddef.h>

/* The lua_Alloc of ember's Lua state: counts bytes, refuses past the budget. */
void *em_budget_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
/* Reads EMBER_MEMORY_BUDGET (bytes, or with a K/M/G suffix). */
void em_budget_init_from_env(void);
int luaopen_ember_budget(lua_State *L);

#endif
