// The C API of cgnuplot.h over gnuplot-iostream. See the header for the contract.
#include "cgnuplot.h"

#include <gnuplot-iostream.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

/// A read-only view of one column, shaped like an STL container so that gnuplot-iostream's
/// ArrayTraits accept it without copying (`value_type` + `const_iterator` + begin/end).
struct ColumnView {
    typedef double value_type;
    typedef const double *const_iterator;
    const double *first;
    const double *last;
    const_iterator begin() const { return first; }
    const_iterator end() const { return last; }
};

std::vector<ColumnView> columnViews(const double *data, size_t columns, size_t rows) {
    std::vector<ColumnView> views;
    views.reserve(columns);
    for (size_t c = 0; c < columns; c++) views.push_back(ColumnView{data + c * rows, data + (c + 1) * rows});
    return views;
}

std::once_flag ignoreSigpipeOnce;

}  // namespace

struct htsr_gnuplot {
    pid_t pid;
    Gnuplot *stream;
    /// Guards `reaped`: `htsr_gnuplot_kill` (from a watchdog thread) never signals a pid that
    /// `htsr_gnuplot_close` has already reaped (and the system may have reused).
    std::mutex lock;
    bool reaped = false;
};

extern "C" htsr_gnuplot *htsr_gnuplot_open(const char *executable, const char *stderr_path, int *error_number) {
    std::call_once(ignoreSigpipeOnce, [] { std::signal(SIGPIPE, SIG_IGN); });
    int fds[2];
    // Close-on-exec on both ends, so that gnuplot processes started from other threads do not
    // inherit this pipe's write end (which would keep this gnuplot from ever seeing EOF).
    if (pipe2(fds, O_CLOEXEC) != 0) {
        *error_number = errno;
        return nullptr;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *argv[] = {const_cast<char *>(executable), nullptr};
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, executable, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        *error_number = rc;
        return nullptr;
    }
    FILE *fh = fdopen(fds[1], "w");
    if (fh == nullptr) {
        *error_number = errno;
        close(fds[1]);
        waitpid(pid, nullptr, 0);
        return nullptr;
    }
    try {
        auto *gp = new htsr_gnuplot;
        gp->pid = pid;
        gp->stream = new Gnuplot(fh);
        return gp;
    } catch (...) {
        *error_number = EIO;
        fclose(fh);
        waitpid(pid, nullptr, 0);
        return nullptr;
    }
}

extern "C" int htsr_gnuplot_send_text(htsr_gnuplot *gp, const char *text, size_t length) {
    try {
        gp->stream->write(text, static_cast<std::streamsize>(length));
        return gp->stream->good() ? 0 : -1;
    } catch (...) {
        return -1;
    }
}

extern "C" int htsr_gnuplot_send_columns(htsr_gnuplot *gp, const double *data, size_t columns, size_t rows) {
    try {
        gp->stream->sendBinary1d_colmajor(columnViews(data, columns, rows));
        return gp->stream->good() ? 0 : -1;
    } catch (...) {
        return -1;
    }
}

extern "C" int htsr_gnuplot_close(htsr_gnuplot *gp) {
    // The destructor flushes and closes the pipe (gnuplot then reads EOF and exits).
    try {
        delete gp->stream;
    } catch (...) {
    }
    // Wait for the exit without reaping, so that a concurrent kill cannot hit a reused pid;
    // then reap under the lock.
    siginfo_t info;
    int rc;
    do {
        rc = waitid(P_PID, static_cast<id_t>(gp->pid), &info, WEXITED | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    int status = 0;
    pid_t waited;
    {
        std::lock_guard<std::mutex> guard(gp->lock);
        gp->reaped = true;
        do {
            waited = waitpid(gp->pid, &status, 0);
        } while (waited < 0 && errno == EINTR);
    }
    if (waited < 0) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

extern "C" void htsr_gnuplot_free(htsr_gnuplot *gp) { delete gp; }

extern "C" void htsr_gnuplot_kill(htsr_gnuplot *gp) {
    std::lock_guard<std::mutex> guard(gp->lock);
    if (!gp->reaped) kill(gp->pid, SIGKILL);
}

extern "C" long htsr_gnuplot_binary_format(size_t columns, size_t rows, char *buffer, size_t capacity) {
    std::vector<ColumnView> views(columns, ColumnView{nullptr, nullptr});
    // The clause depends only on the shape; point the views at a dummy range of `rows` values.
    std::vector<double> dummy(rows, 0.0);
    for (auto &v : views) v = ColumnView{dummy.data(), dummy.data() + rows};
    std::ostringstream clause;
    clause << " format='";
    gnuplotio::top_level_array_sender(clause, views, gnuplotio::Mode1DUnwrap(), gnuplotio::ModeBinfmt());
    clause << "' record=(";
    gnuplotio::top_level_array_sender(clause, views, gnuplotio::Mode1DUnwrap(), gnuplotio::ModeSize());
    clause << ") ";
    const std::string s = clause.str();
    if (s.size() + 1 > capacity) return -1;
    std::memcpy(buffer, s.c_str(), s.size() + 1);
    return static_cast<long>(s.size());
}
