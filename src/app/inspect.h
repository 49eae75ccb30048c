/* inspect.h — the `ember inspect FILE` command: what is inside a checkpoint
** (.pt/.pth/.tar zip) or a .safetensors file. The presentation is Lua
** (lua/ember/inspect.lua); this only runs it and picks the exit code. */
#ifndef EMBER_INSPECT_H
#define EMBER_INSPECT_H

/* argv[0] is "ember", argv[1] "inspect". Returns 0 (shown), 1 (the file was
** refused or unreadable; the reason is on stderr) or 2 (usage). */
int em_inspect_main(int argc, char **argv);

#endif
