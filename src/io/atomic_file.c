/* atomic_file.c — write-to-temporary-then-rename (see atomic_file.h). Every
** system call's result is checked; the first failure is remembered with its
** step and errno, the temporary file is unlinked, and the target is never
** opened for writing. The target is the path with its symlinks followed, as
** open() would (the link stays a link to the new file); an existing file's
** permission bits carry over to its replacement. A character device or a
** FIFO is not a file to replace: it is opened and written directly (as
** PyTorch does), a block device, folder or socket is refused. The temporary
** name fits NAME_MAX even for the longest target names. Not here: retries,
** locking, keeping hard links (a rename gives the name a new inode). */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

struct em_atomic_file {
    char *path;        /* the name the caller gave (messages) */
    char *target;      /* what gets replaced: path with its symlinks followed */
    char *tmp;         /* the temporary file beside the target */
    char *dir;         /* the folder holding both ("." when target has no '/') */
    const char *what;  /* message prefix, e.g. "torch.save" */
    FILE *fp;
    bool direct;       /* a device or FIFO: written in place, no temporary file */
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
    free(f->target);
    free(f->tmp);
    free(f->dir);
    free(f);
}

/* The start of the temporary names for target base name `base` in a folder
** whose names may be name_max bytes long: ".<base>.tmp." when
** ".<base>.tmp.<pid>.<n>" fits, else ".tmp-<64-bit FNV-1a of base>." so that
** a 255-byte name can be saved too. */
static void temp_prefix(const char *base, long name_max, char *out, size_t cap)
{
    size_t blen = strlen(base);
    if (1 + blen + 5 + 10 + 1 + 10 <= (size_t)name_max && blen + 8 < cap) {
        snprintf(out, cap, ".%s.tmp.", base);
        return;
    }
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *c = (const unsigned char *)base; *c; c++) h = (h ^ *c) * 0x100000001b3u;
    snprintf(out, cap, ".tmp-%016llx.", (unsigned long long)h);
}

/* Removes temporary files that an earlier save of the same target left behind
** when its process was killed ("<prefix><pid>.<n>" whose pid is gone).
** Best effort: failures are ignored. */
static void remove_stale_temps(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) return;
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        long pid;
        unsigned k;
        if (strncmp(n, prefix, plen) != 0) continue;
        if (sscanf(n + plen, "%ld.%u", &pid, &k) != 2 || pid <= 0) continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;   /* alive: keep */
        char full[4096];
        if (snprintf(full, sizeof full, "%s/%s", dir, n) < (int)sizeof full) unlink(full);
    }
    closedir(d);
}

/* path with its symlinks followed (a new string), as open() follows them: a
** relative link target is relative to the link's folder; a dangling link
** names the file it would create. NULL with errno set (ELOOP, ENOMEM). */
static char *follow_links(const char *path)
{
    char *cur = dup_range(path, strlen(path));
    for (int hops = 0; cur; hops++) {
        struct stat sb;
        if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode)) return cur;
        if (hops == 40) {
            free(cur);
            errno = ELOOP;
            return NULL;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) return cur;
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        size_t dirlen = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = malloc(dirlen + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dirlen);
            memcpy(next + dirlen, link, (size_t)n + 1);
        } else {
            errno = ENOMEM;
        }
        free(cur);
        cur = next;
    }
    return NULL;
}

/* A character device or FIFO: opened for writing as it is (O_NONBLOCK so a
** FIFO nobody reads is an error instead of a hang; blocking again after). */
static em_atomic_file *open_direct(em_atomic_file *f)
{
    int fd = inject(f, STEP_OPEN) ? -1 : open(f->target, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    int err = errno;
    if (fd >= 0) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        f->fp = fdopen(fd, "wb");
        err = errno;
        if (!f->fp) close(fd);
    }
    if (!f->fp) {
        em_fail(EM_ERR_IO, "%s: cannot write '%s': %s", f->what, f->path,
                err == ENXIO ? "it is a FIFO that no program is reading" : strerror(err));
        free_file(f);
        return NULL;
    }
    f->direct = true;
    return f;
}

em_atomic_file *em_atomic_open(const char *path, const char *what)
{
    if (!what) what = "write";
    if (!path || !*path) {
        em_fail(EM_ERR_IO, "%s: empty file name", what);
        return NULL;
    }
    em_atomic_file *f = calloc(1, sizeof *f);
    if (f) {
        f->what = what;
        f->fault_step = -1;
        f->path = dup_range(path, strlen(path));
        f->target = follow_links(path);
        if (!f->target && errno == ELOOP) {
            em_fail(EM_ERR_IO, "%s: cannot write '%s': %s", what, path, strerror(ELOOP));
            free_file(f);
            return NULL;
        }
    }
    const char *target = f && f->target ? f->target : path;
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    size_t dirlen = slash ? (size_t)(slash - target) : 0;
    if (f) {
        f->dir = slash ? (dirlen ? dup_range(target, dirlen) : dup_range("/", 1)) : dup_range(".", 1);
        f->tmp = malloc(strlen(target) + 64);
    }
    if (!f || !f->path || !f->target || !f->dir || !f->tmp) {
        if (f) free_file(f);
        em_fail(EM_ERR_MEMORY, "%s: out of memory for the file name '%s'", what, path);
        return NULL;
    }
    if (!*base) {
        em_fail(EM_ERR_IO, "%s: cannot write '%s': the path names a folder, not a file", what, path);
        free_file(f);
        return NULL;
    }
    const char *spec = getenv("EMBER_FAULT_INJECT");
    if (fault_set) {
        f->fault_step = fault_step;
        f->fault_errno = fault_errno;
    } else if (spec && *spec && !parse_fault(spec, &f->fault_step, &f->fault_errno)) {
        f->fault_step = -1;
    }
    struct stat sb;
    mode_t keep_mode = 0;
    if (stat(f->target, &sb) == 0) {
        const char *refuse = S_ISDIR(sb.st_mode) ? "it is a folder"
                             : S_ISBLK(sb.st_mode) ? "it is a block device (a disk); ember does not write over one"
                             : S_ISSOCK(sb.st_mode) ? "it is a socket" : NULL;
        if (refuse) {
            em_fail(EM_ERR_IO, "%s: cannot write '%s': %s", what, path, refuse);
            free_file(f);
            return NULL;
        }
        if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode)) return open_direct(f);
        keep_mode = sb.st_mode & 07777;
    }
    long name_max = pathconf(f->dir, _PC_NAME_MAX);
    if (name_max <= 0) name_max = NAME_MAX;
    char prefix[64 + 256];
    temp_prefix(base, name_max, prefix, sizeof prefix);
    remove_stale_temps(f->dir, prefix);
    static unsigned counter;
    int fd = -1, err = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(f->tmp, strlen(target) + 64, "%.*s%s%ld.%u", (int)(base - target), target, prefix,
                 (long)getpid(), counter++);
        if (inject(f, STEP_OPEN)) {
            err = errno;
            break;
        }
        fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        err = errno;
        if (fd < 0 && err != EEXIST) break;
    }
    if (fd >= 0 && keep_mode) (void)fchmod(fd, keep_mode);   /* best effort, as the old file had */
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
    if (!f->direct) unlink(f->tmp);
    free_file(f);
}

/* A device or FIFO: flush and close; there is nothing to rename or sync. */
static em_status commit_direct(em_atomic_file *f)
{
    em_status st = EM_OK;
    if (f->failed) st = em_fail(EM_ERR_IO, "%s: '%s': not written completely after a failed write", f->what, f->path);
    if (st == EM_OK && (inject(f, STEP_FLUSH) || fflush(f->fp) != 0)) st = fail_step(f, "flushing", errno);
    int close_rc = fclose(f->fp), close_err = errno;
    f->fp = NULL;
    if (st == EM_OK && close_rc != 0) st = fail_step(f, "closing", close_err);
    free_file(f);
    return st;
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
    if (f->direct) return commit_direct(f);
    em_status st = EM_OK;
    if (f->failed) st = em_fail(EM_ERR_IO, "%s: '%s': not saved after a failed write", f->what, f->path);
    if (st == EM_OK && (inject(f, STEP_FLUSH) || fflush(f->fp) != 0)) st = fail_step(f, "flushing", errno);
    if (st == EM_OK && (inject(f, STEP_FSYNC) || fsync(fileno(f->fp)) != 0))
        st = fail_step(f, "syncing to disk", errno);
    int close_rc = fclose(f->fp), close_err = errno;
    f->fp = NULL;
    if (st == EM_OK && inject(f, STEP_CLOSE)) close_rc = -1, close_err = errno;
    if (st == EM_OK && close_rc != 0) st = fail_step(f, "closing", close_err);
    if (st == EM_OK && (inject(f, STEP_RENAME) || rename(f->tmp, f->target) != 0))
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
