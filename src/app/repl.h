/* repl.h — the interactive loop behind bare `ember`. */
#ifndef EMBER_REPL_H
#define EMBER_REPL_H

int em_repl_main(void);

#endif
