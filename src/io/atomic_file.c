/* atomic_file.c — write-to-temporary-then-rename (see atomic_file.h). Every
** system call's result is checked; the first failure is remembered with its
** step and errno, the temporary file is unlinked, and the target is never
** opened for writing. Not here: retries, locking, or preserving the old
** file's permissions (the new file gets 0666 minus the umask, like fopen). */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct em_atomic_file {
    char *path;        /* the target */
    char *tmp;         /* the temporary file beside it */
    char *dir;         /* the folder holding both ("." when path has no '/') */
    const char *what;  /* message prefix, e.g. "torch.save" */
    FILE *fp;
    bool failed;
    int fault_step;    /* injected failure (test hook), or -1 */
    int fault_errno;
};

/* --- the test hook --- */
enum { STEP_OPEN, STEP_WRITE, STEP_FLUSH, STEP_FSYNC, STEP_CLOSE, STEP_RENAME, STEP_COUNT };
static const char *const STEP_NAMES[STEP_COUNT] = {"open", "write", "flush", "fsync", "close", "rename"};
static const struct { const char *name; int value; } ERRNOS[] = {
    {"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EACCES", EACCES}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS},
};

static bool fault_set;              /* set by em_atomic_fault_inject (wins over the environment) */
static int fault_step = -1, fault_errno;

static bool parse_fault(const char *spec, int *step, int *err)
{
    const char *colon = strchr(spec, ':');
    if (!colon) return false;
    *step = -1;
    for (int i = 0; i < STEP_COUNT; i++)
        if (strlen(STEP_NAMES[i]) == (size_t)(colon - spec) && strncmp(spec, STEP_NAMES[i], (size_t)(colon - spec)) == 0)
            *step = i;
    for (size_t i = 0; i < sizeof ERRNOS / sizeof ERRNOS[0]; i++)
        if (strcmp(colon + 1, ERRNOS[i].name) == 0) {
            *err = ERRNOS[i].value;
            return *step >= 0;
        }
    return false;
}

em_status em_atomic_fault_inject(const char *spec)
{
    if (!spec || !*spec) {
        fault_set = false;
        fault_step = -1;
        return EM_OK;
    }
    int step, err;
    if (!parse_fault(spec, &step, &err))
        return em_fail(EM_ERR_VALUE, "fault injection: '%s' is not STEP:ERRNO (steps open, write, flush, "
                       "fsync, close, rename; errnos ENOSPC, EIO, EACCES, EDQUOT, EROFS)", spec);
    fault_set = true;
    fault_step = step;
    fault_errno = err;
    return EM_OK;
}

/* The failure to inject into f at step (sets errno), or false. */
static bool inject(const em_atomic_file *f, int step)
{
    if (f->fault_step != step) return false;
    errno = f->fault_errno;
    return true;
}

/* --- helpers --- */
static char *dup_range(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Records the first failure (errno of the failing call) and returns its status. */
static em_status fail_step(em_atomic_file *f, const char *step, int err)
{
    f->failed = true;
    return em_fail(EM_ERR_IO, "%s: cannot write '%s': %s (while %s)", f->what, f->path, strerror(err), step);
}

static void free_file(em_atomic_file *f)
{
    free(f->path);
    free(f->tmp);
    free(f->dir);
    free(f);
}

/* Removes temporary files that an earlier save of the same target left behind
** when its process was killed (".<base>.tmp.<pid>.<n>" whose pid is gone).
** Best effort: failures are ignored. */
static void remove_stale_temps(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d) return;
    size_t blen = strlen(base);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        long pid;
        unsigned k;
        if (n[0] != '.' || strncmp(n + 1, base, blen) != 0 || strncmp(n + 1 + blen, ".tmp.", 5) != 0) continue;
        if (sscanf(n + 1 + blen + 5, "%ld.%u", &pid, &k) != 2 || pid <= 0) continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;   /* alive: keep */
        char full[4096];
        if (snprintf(full, sizeof full, "%s/%s", dir, n) < (int)sizeof full) unlink(full);
    }
    closedir(d);
}

em_atomic_file *em_atomic_open(const char *path, const char *what)
{
    if (!what) what = "write";
    if (!path || !*path) {
        em_fail(EM_ERR_IO, "%s: empty file name", what);
        return NULL;
    }
    em_atomic_file *f = calloc(1, sizeof *f);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dirlen = slash ? (size_t)(slash - path) : 0;
    if (f) {
        f->what = what;
        f->fault_step = -1;
        f->path = dup_range(path, strlen(path));
        f->dir = slash ? (dirlen ? dup_range(path, dirlen) : dup_range("/", 1)) : dup_range(".", 1);
        f->tmp = malloc(strlen(path) + 64);
    }
    if (!f || !f->path || !f->dir || !f->tmp) {
        if (f) free_file(f);
        em_fail(EM_ERR_MEMORY, "%s: out of memory for the file name '%s'", what, path);
        return NULL;
    }
    if (!*base) {
        em_fail(EM_ERR_IO, "%s: cannot write '%s': the path names a folder, not a file", what, path);
        free_file(f);
        return NULL;
    }
    remove_stale_temps(f->dir, base);
    const char *spec = getenv("EMBER_FAULT_INJECT");
    if (fault_set) {
        f->fault_step = fault_step;
        f->fault_errno = fault_errno;
    } else if (spec && *spec && !parse_fault(spec, &f->fault_step, &f->fault_errno)) {
        f->fault_step = -1;
    }
    static unsigned counter;
    int fd = -1, err = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(f->tmp, strlen(path) + 64, "%.*s.%s.tmp.%ld.%u", (int)(base - path), path, base,
                 (long)getpid(), counter++);
        if (inject(f, STEP_OPEN)) {
            err = errno;
            break;
        }
        fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        err = errno;
        if (fd < 0 && err != EEXIST) break;
    }
    if (fd >= 0) f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        if (fd >= 0) {
            err = errno;
            close(fd);
            unlink(f->tmp);
        }
        em_fail(EM_ERR_IO, "%s: cannot write '%s': %s (while creating the temporary file '%s')", what, path,
                strerror(err), f->tmp);
        free_file(f);
        return NULL;
    }
    return f;
}

em_status em_atomic_write(em_atomic_file *f, const void *p, size_t n)
{
    if (f->failed) return em_fail(EM_ERR_IO, "%s: '%s': writing after a failed write", f->what, f->path);
    if (n == 0) return EM_OK;
    if (inject(f, STEP_WRITE)) {
        int err = errno;
        (void)fwrite(p, 1, n / 2, f->fp);   /* a partial write, as a full disk leaves it */
        return fail_step(f, "writing", err);
    }
    errno = 0;
    if (fwrite(p, 1, n, f->fp) != n) return fail_step(f, "writing", errno ? errno : EIO);
    return EM_OK;
}

void em_atomic_abort(em_atomic_file *f)
{
    if (!f) return;
    if (f->fp) fclose(f->fp);
    unlink(f->tmp);
    free_file(f);
}

/* fsync of the folder, so that the rename itself survives a crash. File
** systems that cannot sync a folder (EINVAL) are not an error. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = fsync(fd) == 0 || errno == EINVAL || errno == ENOTSUP ? 0 : errno;
    if (close(fd) != 0 && !err) err = errno;
    return err;
}

em_status em_atomic_commit(em_atomic_file *f)
{
    em_status st = EM_OK;
    if (f->failed) st = em_fail(EM_ERR_IO, "%s: '%s': not saved after a failed write", f->what, f->path);
    if (st == EM_OK && (inject(f, STEP_FLUSH) || fflush(f->fp) != 0)) st = fail_step(f, "flushing", errno);
    if (st == EM_OK && (inject(f, STEP_FSYNC) || fsync(fileno(f->fp)) != 0))
        st = fail_step(f, "syncing to disk", errno);
    int close_rc = fclose(f->fp), close_err = errno;
    f->fp = NULL;
    if (st == EM_OK && inject(f, STEP_CLOSE)) close_rc = -1, close_err = errno;
    if (st == EM_OK && close_rc != 0) st = fail_step(f, "closing", close_err);
    if (st == EM_OK && (inject(f, STEP_RENAME) || rename(f->tmp, f->path) != 0))
        st = fail_step(f, "renaming the temporary file over it", errno);
    if (st != EM_OK) {
        em_atomic_abort(f);
        return st;
    }
    int err = sync_dir(f->dir);
    if (err)
        st = em_fail(EM_ERR_IO, "%s: '%s' was written, but syncing its folder '%s' failed: %s", f->what, f->path,
                     f->dir, strerror(err));
    free_file(f);
    return st;
}
