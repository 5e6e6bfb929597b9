/* mmbench-program-launch PARENT_PID REPORT_FD PROGRAM ARGS...: runs PROGRAM as its child
   and tells the worker about it on REPORT_FD, one line each:
     "pid P"                      once the child is started
     "exit S|signal N wall_ns W utime_us U stime_us S maxrss_kib M minflt F
      majflt J nvcsw V nivcsw I"  once it is reaped

   Why a launcher: ru_maxrss of a process also covers the memory of whatever
   it was forked from (exec keeps the old peak), so a program forked from the
   Python worker would report at least the worker's RSS. Forked from this
   small process, its peak is its own. Both this launcher and its child die
   with their parent (PR_SET_PDEATHSIG), and SIGTERM/SIGINT sent to the
   launcher are passed on to the child, so a server is stopped the way an
   operator stops it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig) {
  if (child > 0) kill(child, sig);
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s PARENT_PID REPORT_FD PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  /* The parent names itself: had it died before the prctl, we would already
     belong to another (a subreaper or init) and must not run at all. */
  pid_t parent = (pid_t)atol(argv[1]);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) return 127;
  int fd = atoi(argv[2]);
  FILE *report = fdopen(fd, "w");
  if (!report) return 127;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = pass_on;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  long long start = now_ns();
  pid_t self = getpid();
  child = fork();
  if (child < 0) return 127;
  if (child == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != self) _exit(127);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    close(fd);
    execvp(argv[3], argv + 3);
    fprintf(stderr, "mmbench-program-launch: cannot run %s: %s\n", argv[3], strerror(errno));
    _exit(127);
  }
  fprintf(report, "pid %d\n", (int)child);
  fflush(report);
  int status;
  struct rusage ru;
  while (wait4(child, &status, 0, &ru) < 0) {
    if (errno != EINTR) return 127;
  }
  long long wall = now_ns() - start;
  if (WIFEXITED(status))
    fprintf(report, "exit %d", WEXITSTATUS(status));
  else
    fprintf(report, "signal %d", WTERMSIG(status));
  fprintf(report,
          " wall_ns %lld utime_us %lld stime_us %lld maxrss_kib %ld minflt %ld majflt %ld"
          " nvcsw %ld nivcsw %ld\n",
          wall, (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
          (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss, ru.ru_minflt,
          ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw);
  fclose(report);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
