/* atomic_file.h — replacing a file all at once: the bytes go to a temporary
** file beside the target (".name.tmp.PID.N", or ".tmp-HASH.PID.N" when that
** would pass NAME_MAX; created with O_EXCL), which is flushed, fsync'ed,
** closed and renamed over the target, then the folder is fsync'ed. On any
** failure the temporary file is removed and the old target is left
** untouched. The target is the path with its symlinks followed: saving to a
** link replaces the file it points to and keeps the link. A character device
** or FIFO (/dev/null, a pipe) is written directly, never replaced; a block
** device, folder or socket is refused. Not here: what the bytes are
** (zip_write.c, pt_save.c). Tests inject failures with
** em_atomic_fault_inject or EMBER_FAULT_INJECT. */
#ifndef EMBER_ATOMIC_FILE_H
#define EMBER_ATOMIC_FILE_H

#include <stddef.h>

#include "../core/status.h"

typedef struct em_atomic_file em_atomic_file;

/* Creates the temporary file for path; NULL with EM_ERR_IO (message naming
** the path and the errno text) on failure. what ("torch.save") prefixes
** every message. */
em_atomic_file *em_atomic_open(const char *path, const char *what);
/* Appends n bytes. After a failure every later call fails too. */
em_status em_atomic_write(em_atomic_file *f, const void *p, size_t n);
/* Flush, fsync, close, rename over the target, fsync the folder; frees f.
** On failure the temporary file is removed and the target is unchanged. */
em_status em_atomic_commit(em_atomic_file *f);
/* Gives up: closes and removes the temporary file; frees f (NULL is fine). */
void em_atomic_abort(em_atomic_file *f);

/* Test hook: makes one step fail with an errno, e.g. "write:ENOSPC",
** "fsync:EIO"; steps are open, write, flush, fsync, close, rename; errnos
** ENOSPC, EIO, EACCES, EDQUOT, EROFS. NULL or "" clears it. When nothing is
** set here, the environment variable EMBER_FAULT_INJECT (same syntax) is read
** at each em_atomic_open. Returns EM_ERR_VALUE for a spec it does not know. */
em_status em_atomic_fault_inject(const char *spec);

#endif
