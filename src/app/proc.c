/* proc.c — a child process tree that always ends: `sys.spawn(argv[, cwd][,
** {stdin = true, stderr = true}])` for ember.worker. The command runs with
** stdout into a pipe the caller reads with a deadline (proc:poll(seconds)),
** so a process that keeps the pipe open never holds the caller; proc:stop()
** ends the command and everything it started. Its stdin is /dev/null, or
** with stdin = true a pipe the caller writes with a deadline (proc:write)
** and closes (proc:close_stdin: the command sees end of file); its stderr is
** the caller's, or with stderr = true a third pipe, read by proc:poll too
** (ssh's own messages, for ember.worker's remote form).
**
** The tree: ember forks a small supervisor (still this binary, never
** exec'd), which starts its own session, makes itself a child subreaper
** (Linux: orphaned descendants are re-parented to it instead of to init)
** and forks the command into a process group of its own. The supervisor
** waits for the command to end or for SIGTERM (proc:stop, the caller's
** garbage collection, or the caller's death through PR_SET_PDEATHSIG), then
** kills the command's process group and, round after round, every child it
** has — which, being the subreaper, includes every orphan, even one that
** called setsid() to leave the group — until none is left, reports how the
** command ended through a second pipe and exits. Nothing the command started
** outlives the call on Linux; elsewhere (no subreaper) a descendant that left
** the process group is not reached, but the caller still returns at once.
**
** Between fork and exit the supervisor makes only async-signal-safe system
** calls (the parent has OpenBLAS/OpenMP threads): no malloc, no stdio.
** Not here: what is run (lua/ember/worker.lua). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#define PROC_META "ember.sys.proc"
#define KILL_ROUNDS_S 5.0    /* the supervisor's longest hunt for descendants */
#define STOP_WAIT_MS 10000   /* proc:stop waits this long for the supervisor */

/* how the command ended, as the supervisor reports it */
enum { ENDED_EXIT = 1, ENDED_SIGNAL, ENDED_STOPPED, ENDED_NOT_STARTED };

typedef struct {
    pid_t sup;       /* the supervisor; 0 once reaped */
    int out;         /* read end of the command's stdout; -1 when closed */
    int in;          /* write end of the command's stdin (stdin = true); -1 when closed */
    int err;         /* read end of the command's stderr (stderr = true); -1 when closed */
    int status;      /* read end of the supervisor's report; -1 when closed */
    int ended;       /* 0 while running, else ENDED_* (or -1: supervisor lost) */
    int code;        /* exit code or signal number */
} proc_t;

typedef struct {
    int32_t ended, code;
} report_t;

/* --- the supervisor (child side; async-signal-safe only) -------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

#ifdef __linux__
/* The parent pid in /proc/PID/stat ("pid (comm) state ppid ..."; comm may
** hold spaces and parentheses, so scan from the last ')'), or -1. */
static pid_t parent_of(const char *pid_text)
{
    char path[64] = "/proc/";
    size_t n = strlen(pid_text);
    if (n > 20) return -1;
    memcpy(path + 6, pid_text, n);
    memcpy(path + 6 + n, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[1024];
    ssize_t got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0) return -1;
    buf[got] = '\0';
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || !p[2] || p[3] != ' ') return -1;
    p += 4;
    long ppid = 0;
    while (*p >= '0' && *p <= '9') ppid = ppid * 10 + (*p++ - '0');
    return (pid_t)ppid;
}

struct dirent64_raw {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* SIGKILL to every child of this process, found by reading /proc (getdents64
** straight, as opendir may allocate). */
static void kill_children(pid_t self)
{
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    union {
        char bytes[8192];
        uint64_t align;
    } buf;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf.bytes, sizeof buf.bytes);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct dirent64_raw *d = (struct dirent64_raw *)(void *)(buf.bytes + off);
            off += d->reclen;
            long pid = 0;
            const char *c = d->name;
            while (*c >= '0' && *c <= '9') pid = pid * 10 + (*c++ - '0');
            if (*c || pid <= 0 || pid == self) continue;
            if (parent_of(d->name) == self) kill((pid_t)pid, SIGKILL);
        }
    }
    close(fd);
}
#endif

/* The command's pipes, as the supervisor hands them on: in_r and err_w are
** -1 when the caller keeps /dev/null as stdin and its own stderr. */
typedef struct {
    int out_w, in_r, err_w;
} ends_t;

/* The command's side of the fork: its own process group, default signals,
** stdin from /dev/null or the stdin pipe, stdout (and stderr) into the
** pipes; never returns. */
static void exec_command(ends_t ends, char **argv, const char *cwd)
{
    setpgid(0, 0);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);   /* the supervisor gone: so is the command */
#endif
    if (ends.in_r >= 0) {
        if (ends.in_r != 0) dup2(ends.in_r, 0);
        else fcntl(0, F_SETFD, 0);
    } else {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0 && devnull != 0) {
            dup2(devnull, 0);
            close(devnull);
        }
    }
    if (ends.out_w != 1) dup2(ends.out_w, 1);     /* dup2 clears FD_CLOEXEC on fd 1 */
    else fcntl(1, F_SETFD, 0);
    if (ends.err_w >= 0) {
        if (ends.err_w != 2) dup2(ends.err_w, 2);
        else fcntl(2, F_SETFD, 0);
    }
    if (cwd && chdir(cwd) != 0) _exit(127);
    execvp(argv[0], argv);
    static const char msg[] = "ember: cannot start the child process\n";
    write_all(2, msg, sizeof msg - 1);
    _exit(127);
}

/* Kills the command's group (while the command is unreaped, so the group id
** is still ours) and then, in rounds, every child the supervisor has, until
** it has none or KILL_ROUNDS_S have passed. */
static void end_tree(pid_t cmd)
{
    pid_t self = getpid();
    int cmd_reaped = 0;
    double deadline = now_s() + KILL_ROUNDS_S;
    for (;;) {
        if (!cmd_reaped) kill(-cmd, SIGKILL);
#ifdef __linux__
        kill_children(self);
#else
        (void)self;
#endif
        pid_t pid;
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
            if (pid == cmd) cmd_reaped = 1;
        if (pid < 0 && errno == ECHILD) return;
        if (now_s() > deadline) return;
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
}

static void supervise(ends_t ends, int report_w, char **argv, const char *cwd, pid_t parent)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);   /* ember's handlers never run here */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);         /* not SIG_IGN: children must stay waitable */
    setsid();
    report_t rep = {ENDED_NOT_STARTED, 0};
#ifdef __linux__
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent) _exit(0);      /* the caller died before prctl */
    pid_t cmd = fork();
    if (cmd == 0) exec_command(ends, argv, cwd);
    close(ends.out_w);       /* the command's alone: its end of file is the caller's */
    if (ends.in_r >= 0) close(ends.in_r);
    if (ends.err_w >= 0) close(ends.err_w);
    if (cmd > 0) {
        setpgid(cmd, cmd);                  /* also done by the child: no race */
        sigset_t wake;
        sigemptyset(&wake);
        sigaddset(&wake, SIGCHLD);
        sigaddset(&wake, SIGTERM);
        sigaddset(&wake, SIGHUP);
        sigaddset(&wake, SIGINT);
        sigaddset(&wake, SIGQUIT);
        for (int waiting = 1; waiting;) {
            int sig = sigwaitinfo(&wake, NULL);
            if (sig < 0) continue;
            if (sig != SIGCHLD) {
                rep.ended = ENDED_STOPPED;
                break;
            }
            /* reap ended orphans; look at the command without reaping it */
            for (;;) {
                siginfo_t si;
                memset(&si, 0, sizeof si);
                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) break;
                if (si.si_pid == cmd) {
                    rep.ended = si.si_code == CLD_EXITED ? ENDED_EXIT : ENDED_SIGNAL;
                    rep.code = si.si_status;
                    waiting = 0;
                    break;
                }
                waitpid(si.si_pid, NULL, 0);
            }
        }
        end_tree(cmd);
    }
    write_all(report_w, &rep, sizeof rep);
    _exit(0);
}

/* --- the caller's side ------------------------------------------------------- */

static proc_t *check_proc(lua_State *L) { return luaL_checkudata(L, 1, PROC_META); }

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* The supervisor has reported (or closed its end): read the report, reap it. */
static void finish(proc_t *p)
{
    report_t rep = {0, 0};
    size_t got = 0;
    while (got < sizeof rep) {
        ssize_t r = read(p->status, (char *)&rep + got, sizeof rep - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close_fd(&p->status);
    if (p->sup > 0) {
        while (waitpid(p->sup, NULL, 0) < 0 && errno == EINTR) {}
        p->sup = 0;
    }
    if (got == sizeof rep && rep.ended >= ENDED_EXIT && rep.ended <= ENDED_NOT_STARTED) {
        p->ended = rep.ended;
        p->code = rep.code;
    } else {
        p->ended = -1;   /* the supervisor was killed: its report is missing */
    }
}

/* Appends what the pipe *fd holds now, without waiting; closes it at end of file. */
static void drain(int *fd, luaL_Buffer *b)
{
    while (*fd >= 0) {
        char *dst = luaL_prepbuffsize(b, 65536);
        ssize_t r = read(*fd, dst, 65536);
        if (r > 0) {
            luaL_addsize(b, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) close_fd(fd);
        break;
    }
}

/* Ends the tree now: SIGTERM to the supervisor, which kills everything and
** reports; SIGKILL to it if it does not within STOP_WAIT_MS. */
static void stop(proc_t *p)
{
    if (p->ended || p->sup <= 0) return;
    kill(p->sup, SIGTERM);
    double deadline = now_s() + STOP_WAIT_MS / 1000.0;
    int r;
    do {   /* a Ctrl-C meanwhile (EINTR) does not cut the wait short */
        struct pollfd fd = {p->status, POLLIN, 0};
        int ms = (int)((deadline - now_s()) * 1000);
        r = poll(&fd, 1, ms > 0 ? ms : 0);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) kill(p->sup, SIGKILL);
    finish(p);
}

static void close_pair(int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

/* the third argument: {stdin = boolean, stderr = boolean}; anything else is an error */
static void spawn_options(lua_State *L, int *want_in, int *want_err)
{
    *want_in = *want_err = 0;
    if (lua_isnoneornil(L, 3)) return;
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 3)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        if (strcmp(k, "stdin") == 0) *want_in = lua_toboolean(L, -1);
        else if (strcmp(k, "stderr") == 0) *want_err = lua_toboolean(L, -1);
        else luaL_error(L, "sys.spawn: unknown option '%s' (expected stdin or stderr)",
                        lua_type(L, -2) == LUA_TSTRING ? k : luaL_typename(L, -2));
        lua_pop(L, 1);
    }
}

/* sys.spawn(argv[, cwd][, {stdin =, stderr =}]) -> proc | nil, message */
static int l_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *cwd = luaL_optstring(L, 2, NULL);
    int want_in, want_err;
    spawn_options(L, &want_in, &want_err);
    lua_Integer n = luaL_len(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 255, 1, "expected a list of 1 to 255 strings");
    char **argv = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *argv, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, 1, i) != LUA_TSTRING) luaL_argerror(L, 1, "expected a list of strings");
        argv[i - 1] = (char *)lua_tostring(L, -1);   /* kept alive by the table */
        lua_pop(L, 1);
    }
    argv[n] = NULL;
    proc_t *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->sup = 0, p->out = -1, p->in = -1, p->err = -1, p->status = -1, p->ended = 0, p->code = 0;
    luaL_setmetatable(L, PROC_META);

    int out[2], rep[2], in[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe(out) != 0) goto fail;
    if (pipe(rep) != 0) {
        int e = errno;
        close_pair(out);
        errno = e;
        goto fail;
    }
    if ((want_in && pipe(in) != 0) || (want_err && pipe(err) != 0)) {
        int e = errno;
        close_pair(out);
        close_pair(rep);
        if (in[0] >= 0) close_pair(in);
        errno = e;
        goto fail;
    }
    int all[8] = {out[0], out[1], rep[0], rep[1], in[0], in[1], err[0], err[1]};
    for (int i = 0; i < 8; i++)
        if (all[i] >= 0) fcntl(all[i], F_SETFD, FD_CLOEXEC);
    pid_t parent = getpid();
    pid_t sup = fork();
    if (sup == 0) {
        close(out[0]), close(rep[0]);
        if (in[1] >= 0) close(in[1]);     /* else the command never sees end of file */
        if (err[0] >= 0) close(err[0]);
        ends_t ends = {out[1], in[0], err[1]};
        supervise(ends, rep[1], argv, cwd, parent);
    }
    close(out[1]), close(rep[1]);
    if (in[0] >= 0) close(in[0]);
    if (err[1] >= 0) close(err[1]);
    if (sup < 0) {
        int e = errno;
        close(out[0]), close(rep[0]);
        if (in[1] >= 0) close(in[1]);
        if (err[0] >= 0) close(err[0]);
        errno = e;
        goto fail;
    }
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    if (in[1] >= 0) fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
    if (err[0] >= 0) fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK);
    p->sup = sup, p->out = out[0], p->status = rep[0], p->in = in[1], p->err = err[0];
    return 1;
fail:
    lua_pushnil(L);
    lua_pushfstring(L, "cannot start %s: %s", argv[0], strerror(errno));
    return 2;
}

/* One read of at most 64 KiB from *fd into b; closes *fd at end of file. */
static void read_once(int *fd, luaL_Buffer *b)
{
    char *dst = luaL_prepbuffsize(b, 65536);
    ssize_t r = read(*fd, dst, 65536);
    if (r > 0) luaL_addsize(b, (size_t)r);
    else if (r == 0) close_fd(fd);
}

/* proc:poll([seconds = 0]) -> text, ended, errtext
** Waits at most seconds for output or for the end of the tree; text is what
** arrived on stdout (possibly ""), errtext on stderr ("" unless spawned with
** stderr = true), ended whether the command and everything it started are
** gone (then both also hold what was left in the pipes, without waiting
** for a writer that escaped to close them). Returns early on a signal. */
static int l_poll(lua_State *L)
{
    proc_t *p = check_proc(L);
    double wait = luaL_optnumber(L, 2, 0);
    luaL_Buffer b, e;
    luaL_buffinit(L, &b);
    if (!p->ended) {
        struct pollfd fds[3] = {{p->status, POLLIN, 0}, {p->out, POLLIN, 0}, {p->err, POLLIN, 0}};
        int ms = wait <= 0 ? 0 : wait >= 3600 ? 3600000 : (int)(wait * 1000 + 0.5);
        /* a closed pipe's slot has fd -1, which poll skips */
        if (poll(fds, 3, ms) > 0) {
            if (fds[1].revents) read_once(&p->out, &b);
            if (fds[0].revents) finish(p);
        }
    }
    if (p->ended) drain(&p->out, &b);
    luaL_pushresult(&b);
    luaL_buffinit(L, &e);
    drain(&p->err, &e);      /* non-blocking: what stderr holds now */
    luaL_pushresult(&e);
    lua_pushboolean(L, p->ended != 0);
    lua_insert(L, -2);
    return 3;
}

/* proc:write(s[, seconds = 0]) -> bytes written | nil, message
** Writes s to the command's stdin (spawned with stdin = true), waiting at
** most seconds for room in the pipe: the count may be less than #s (the
** rest is the caller's to write later). nil, message when the command has
** closed its stdin or ended. */
static int l_write(lua_State *L)
{
    proc_t *p = check_proc(L);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    double wait = luaL_optnumber(L, 3, 0);
    if (p->in < 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "the command's stdin is closed (or was not a pipe: spawn with stdin = true)");
        return 2;
    }
    double deadline = now_s() + (wait > 0 ? wait : 0);
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(p->in, s + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int ms = (int)((deadline - now_s()) * 1000);
            if (ms <= 0) break;
            struct pollfd fd = {p->in, POLLOUT, 0};
            if (poll(&fd, 1, ms) < 0 && errno != EINTR) break;
            continue;
        }
        int e = errno;
        close_fd(&p->in);
        lua_pushnil(L);
        lua_pushfstring(L, "writing to the command's stdin: %s", strerror(e));
        return 2;
    }
    lua_pushinteger(L, (lua_Integer)done);
    return 1;
}

/* proc:close_stdin(): the command reads end of file once it has read what was written */
static int l_close_stdin(lua_State *L)
{
    close_fd(&check_proc(L)->in);
    return 0;
}

/* proc:stop(): ends the command and everything it started, now */
static int l_stop(lua_State *L)
{
    stop(check_proc(L));
    return 0;
}

/* proc:status() -> "running" | "exit", code | "signal", number | "stopped" | "lost" */
static int l_status(lua_State *L)
{
    proc_t *p = check_proc(L);
    switch (p->ended) {
    case 0: lua_pushliteral(L, "running"); return 1;
    case ENDED_EXIT: lua_pushliteral(L, "exit"); lua_pushinteger(L, p->code); return 2;
    case ENDED_SIGNAL: lua_pushliteral(L, "signal"); lua_pushinteger(L, p->code); return 2;
    case ENDED_STOPPED: lua_pushliteral(L, "stopped"); return 1;
    case ENDED_NOT_STARTED: lua_pushliteral(L, "exit"); lua_pushinteger(L, 127); return 2;
    default: lua_pushliteral(L, "lost"); return 1;
    }
}

/* proc:pid() -> the supervisor's pid (it leads the tree's session) or nil */
static int l_pid(lua_State *L)
{
    proc_t *p = check_proc(L);
    if (p->sup > 0) lua_pushinteger(L, p->sup);
    else lua_pushnil(L);
    return 1;
}

/* __gc and __close: a tree nobody waits for is ended, its pipes closed */
static int l_release(lua_State *L)
{
    proc_t *p = check_proc(L);
    close_fd(&p->in);        /* first: a command reading stdin sees its end */
    stop(p);
    close_fd(&p->out);
    close_fd(&p->err);
    close_fd(&p->status);
    return 0;
}

void em_proc_register(lua_State *L)
{
    static const luaL_Reg methods[] = {{"poll", l_poll},         {"write", l_write}, {"close_stdin", l_close_stdin},
                                       {"stop", l_stop},         {"status", l_status}, {"pid", l_pid},
                                       {NULL, NULL}};
    if (luaL_newmetatable(L, PROC_META)) {
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_release);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_release);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_spawn);
    lua_setfield(L, -2, "spawn");
}
