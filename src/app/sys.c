/* sys.c — the `ember.sys` Lua module: the few operating-system facts Lua's
** standard library lacks and the Lua side of ember needs: whether a stream is
** a terminal (progress bars, colours), a monotonic wall clock (epoch
** timings; os.clock measures CPU time), listing/creating folders
** (checkpoint rotation), and writing a small file atomically and durably
** (progress.json, versions' metadata.json) with the same code as torch.save;
** for ember.versions: lstat, removing a tree without ever following a
** symbolic link, renames that swap two folders atomically or refuse to
** replace, fsync of a folder, whether a pid is alive; and sys.spawn, a child
** process tree that always ends (proc.c); chdir/getcwd (the lesson runner's
** work folder) and the terminal's width; reading stdin with a deadline and
** writing stdout unbuffered (the remote worker's framed channel, `ember
** worker __serve`). */
#define _XOPEN_SOURCE 700   /* nftw */
#include <fcntl.h>
#include <ftw.h>
#include <lauxlib.h>
#include <lua.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "io/atomic_file.h"
#include "proc.h"

/* sys.isatty("stdout" | "stderr" | "stdin") */
static int l_isatty(lua_State *L)
{
    static const char *const names[] = {"stdin", "stdout", "stderr", NULL};
    int fd = luaL_checkoption(L, 1, "stdout", names);
    lua_pushboolean(L, isatty(fd));
    return 1;
}

/* sys.time(): seconds from an arbitrary start, monotonic, sub-microsecond */
static int l_time(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
    return 1;
}

/* sys.listdir(path) -> sorted list of entry names (without . and ..), or nil, message */
static int l_listdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (!d) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, strerror(errno));
        return 2;
    }
    lua_newtable(L);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    return 1;
}

static int fail_errno(lua_State *L, const char *path)
{
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
}

/* sys.mkdir(path[, exclusive]) -> true, or nil, message (an existing folder
** is fine unless exclusive) */
static int l_mkdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int exclusive = lua_toboolean(L, 2);
    if (mkdir(path, 0777) == 0 || (errno == EEXIST && !exclusive)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
}

/* sys.chdir(path) -> true | nil, message: the process's current folder
** (the lesson runner works in a folder of its own) */
static int l_chdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (chdir(path) == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
}

/* sys.getcwd() -> the current folder | nil, message */
static int l_getcwd(lua_State *L)
{
    char buf[4096];
    if (getcwd(buf, sizeof buf)) {
        lua_pushstring(L, buf);
        return 1;
    }
    lua_pushnil(L);
    lua_pushstring(L, strerror(errno));
    return 2;
}

/* sys.termwidth() -> the terminal's width in columns (stdout, else stdin),
** or nil when neither is a terminal */
static int l_termwidth(lua_State *L)
{
    struct winsize ws;
    if ((ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) &&
        ws.ws_col > 0) {
        lua_pushinteger(L, ws.ws_col);
        return 1;
    }
    lua_pushnil(L);
    return 1;
}

/* sys.mtime(path) -> modification time in seconds (fractional), or nil, message */
static int l_mtime(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, strerror(errno));
        return 2;
    }
    lua_pushnumber(L, (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec * 1e-9);
    return 1;
}

/* sys.lstat(path) -> "file" | "directory" | "link" | "other", or nil,
** message: what path itself is, a symbolic link not followed */
static int l_lstat(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (lstat(path, &st) != 0) return fail_errno(L, path);
    lua_pushstring(L, S_ISLNK(st.st_mode) ? "link" : S_ISDIR(st.st_mode) ? "directory"
                      : S_ISREG(st.st_mode) ? "file" : "other");
    return 1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    int r = flag == FTW_DP ? rmdir(path) : unlink(path);
    return r != 0 && errno != ENOENT ? -1 : 0;
}

/* sys.remove_tree(path) -> true | nil, message: removes path and, when it is
** a folder, everything under it, depth first. Never follows a symbolic link
** (FTW_PHYS: a link is removed as a link, wherever it points) and never
** crosses into another file system (FTW_MOUNT). An absent path is fine. */
static int l_remove_tree(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) {
            lua_pushboolean(L, 1);
            return 1;
        }
        return fail_errno(L, path);
    }
    if (nftw(path, remove_entry, 16, FTW_PHYS | FTW_DEPTH | FTW_MOUNT) != 0) return fail_errno(L, path);
    lua_pushboolean(L, 1);
    return 1;
}

/* sys.rename(from, to[, how]) -> true | nil, message, "unsupported"
** how: nil (rename(2)), "noreplace" (fails when `to` exists), "exchange"
** (swaps the two entries atomically; both must exist). The third result says
** that this kernel or file system has no such rename (fall back then). */
static int l_rename(lua_State *L)
{
    static const char *const hows[] = {"replace", "noreplace", "exchange", NULL};
    const char *from = luaL_checkstring(L, 1), *to = luaL_checkstring(L, 2);
    int how = luaL_checkoption(L, 3, "replace", hows);
    int r;
    if (how == 0) {
        r = rename(from, to);
    } else {
#if defined(__linux__) && defined(SYS_renameat2)
        unsigned flags = how == 1 ? 1u /* RENAME_NOREPLACE */ : 2u /* RENAME_EXCHANGE */;
        r = (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
#else
        errno = ENOSYS;
        r = -1;
#endif
    }
    if (r == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    int unsupported = errno == ENOSYS || errno == EINVAL || errno == ENOTSUP;
    lua_pushnil(L);
    lua_pushfstring(L, "cannot rename %s to %s: %s", from, to, strerror(errno));
    if (!unsupported) return 2;
    lua_pushliteral(L, "unsupported");
    return 3;
}

/* sys.fsync_dir(path) -> true | nil, message: makes a folder's entries
** (renames into it) durable */
static int l_fsync_dir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail_errno(L, path);
    int r = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    if (r != 0 && errno != EINVAL) return fail_errno(L, path);
    lua_pushboolean(L, 1);
    return 1;
}

/* sys.alive(pid) -> whether a process with this pid exists (kill(pid, 0)) */
static int l_alive(lua_State *L)
{
    lua_Integer pid = luaL_checkinteger(L, 1);
    lua_pushboolean(L, pid > 0 && pid <= 0x7fffffff && (kill((pid_t)pid, 0) == 0 || errno == EPERM));
    return 1;
}

/* sys.getpid() */
static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

/* sys.write_atomic(path, s) -> true | nil, message: a temporary file beside
** path, fsync, rename over path, fsync of the folder (io/atomic_file.c): a
** crash leaves the old file or the new one, never half of one. */
static int l_write_atomic(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    em_atomic_file *f = em_atomic_open(path, "write_atomic");
    em_status st = f ? em_atomic_write(f, s, n) : em_last_status();
    if (f && st == EM_OK) st = em_atomic_commit(f);
    else if (f) em_atomic_abort(f);
    if (st != EM_OK) {
        lua_pushnil(L);
        lua_pushstring(L, em_last_error());
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* sys.read_stdin([seconds = 0][, max = 65536]) -> text | nil at end of file
** Waits at most seconds for stdin to be readable and reads what is there (at
** most max bytes): "" when nothing came in time, nil (and a message on a
** read error) at end of file. Never touches io.stdin's buffer: do not mix. */
static int l_read_stdin(lua_State *L)
{
    double wait = luaL_optnumber(L, 1, 0);
    lua_Integer max = luaL_optinteger(L, 2, 65536);
    luaL_argcheck(L, max >= 1 && max <= (1 << 24), 2, "expected 1 to 16777216 bytes");
    int ms = wait <= 0 ? 0 : wait >= 3600 ? 3600000 : (int)(wait * 1000 + 0.5);
    struct pollfd fd = {0, POLLIN, 0};
    int r = poll(&fd, 1, ms);
    if (r < 0 && errno != EINTR) {
        lua_pushnil(L);
        lua_pushfstring(L, "stdin: %s", strerror(errno));
        return 2;
    }
    if (r <= 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    luaL_Buffer b;
    char *dst = luaL_buffinitsize(L, &b, (size_t)max);
    ssize_t got;
    do got = read(0, dst, (size_t)max);
    while (got < 0 && errno == EINTR);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        int e = got < 0 ? errno : 0;
        lua_pushnil(L);
        if (!e) return 1;
        lua_pushfstring(L, "stdin: %s", strerror(e));
        return 2;
    }
    luaL_pushresultsize(&b, got > 0 ? (size_t)got : 0);
    return 1;
}

/* sys.write_stdout(s) -> true | nil, message: all of s to file descriptor 1
** with write(2) (no stdio buffer), e.g. "Broken pipe" when the reader is gone. */
static int l_write_stdout(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd fd = {1, POLLOUT, 0};
            poll(&fd, 1, 1000);
            continue;
        }
        if (w <= 0) {
            lua_pushnil(L);
            lua_pushfstring(L, "stdout: %s", strerror(w < 0 ? errno : EIO));
            return 2;
        }
        s += w;
        n -= (size_t)w;
    }
    lua_pushboolean(L, 1);
    return 1;
}

int luaopen_ember_sys(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"isatty", l_isatty}, {"time", l_time}, {"listdir", l_listdir},
                                     {"mkdir", l_mkdir},   {"getpid", l_getpid}, {"mtime", l_mtime},
                                     {"write_atomic", l_write_atomic}, {"lstat", l_lstat},
                                     {"remove_tree", l_remove_tree}, {"rename", l_rename},
                                     {"fsync_dir", l_fsync_dir}, {"alive", l_alive},
                                     {"chdir", l_chdir}, {"getcwd", l_getcwd},
                                     {"termwidth", l_termwidth}, {"read_stdin", l_read_stdin},
                                     {"write_stdout", l_write_stdout}, {NULL, NULL}};
    luaL_newlib(L, funcs);
    em_proc_register(L);
    return 1;
}
