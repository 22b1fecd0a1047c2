/* The bench's timing harness: runs contenders alternately, each run a
 * posix_spawn + wait4 from this small process, so Node's own spawn cost
 * (1-2 ms) is not in the numbers.
 *
 *   harness [--fork] SPECFILE ITERATIONS WARMUP
 *
 * SPECFILE: one contender a line, its argv as fields separated by 0x1f
 * (the first field is the program, a path). Iteration i runs every contender
 * once, starting with contender (i mod n), so no contender always runs first
 * or right after a given other one. Each child gets /dev/null as stdin,
 * stdout and stderr. Warm-up iterations are run and not reported.
 *
 * Output, one line a timed run: "CONTENDER ITERATION NANOSECONDS MAXRSS_KB
 * STATUS", where MAXRSS_KB is wait4's ru_maxrss of that child (the peak RSS
 * over its execs and its reaped descendants) and STATUS is the raw wait
 * status.
 *
 * --fork: fork() instead of posix_spawn(), for memory. ru_maxrss keeps the
 * highest RSS across execve, counting the address space the child started
 * with: posix_spawn's child shares (vfork) the harness's whole address space,
 * so every child would report at least the harness's RSS (~1.5 MB dynamic).
 * A forked child starts with only the anonymous pages of this (statically
 * linked) harness, about 0.1 MB, measured by exec'ing bench's exit0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CONTENDERS 64

static char **argvs[MAX_CONTENDERS];
static int n_contenders;

static void die(const char *what) {
  fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void parse_spec(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) die(path);
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n') line[--len] = '\0';
    if (len == 0) continue;
    if (n_contenders == MAX_CONTENDERS) {
      fprintf(stderr, "harness: more than %d contenders\n", MAX_CONTENDERS);
      exit(2);
    }
    size_t fields = 1;
    for (ssize_t i = 0; i < len; i++)
      if (line[i] == '\x1f') fields++;
    char **argv = calloc(fields + 1, sizeof *argv);
    char *copy = strdup(line);
    if (!argv || !copy) die("calloc");
    size_t k = 0;
    char *start = copy;
    for (char *p = copy;; p++) {
      if (*p == '\x1f' || *p == '\0') {
        int end = *p == '\0';
        *p = '\0';
        argv[k++] = start;
        start = p + 1;
        if (end) break;
      }
    }
    argvs[n_contenders++] = argv;
  }
  free(line);
  fclose(f);
  if (n_contenders == 0) {
    fprintf(stderr, "harness: no contender in %s\n", path);
    exit(2);
  }
}

static pid_t fork_exec(char **argv) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null < 0) _exit(127);
    for (int fd = 0; fd <= 2; fd++)
      if (dup2(null, fd) < 0) _exit(127);
    if (null > 2) close(null);
    execv(argv[0], argv);
    _exit(127);
  }
  return pid;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  int use_fork = argc > 1 && strcmp(argv[1], "--fork") == 0;
  if (argc != 4 + use_fork) {
    fprintf(stderr, "usage: harness [--fork] SPECFILE ITERATIONS WARMUP\n");
    return 2;
  }
  parse_spec(argv[1 + use_fork]);
  long iterations = strtol(argv[2 + use_fork], NULL, 10);
  long warmup = strtol(argv[3 + use_fork], NULL, 10);

  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) die("posix_spawn_file_actions_init");
  for (int fd = 0; fd <= 2; fd++)
    if (posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) != 0)
      die("posix_spawn_file_actions_addopen");

  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  for (long it = -warmup; it < iterations; it++) {
    int first = (int)(((it % n_contenders) + n_contenders) % n_contenders);
    for (int j = 0; j < n_contenders; j++) {
      int c = (first + j) % n_contenders;
      pid_t pid;
      struct rusage ru;
      int status;
      long long t0 = now_ns();
      if (use_fork) {
        pid = fork_exec(argvs[c]);
      } else {
        int err = posix_spawn(&pid, argvs[c][0], &actions, NULL, argvs[c], environ);
        if (err != 0) {
          errno = err;
          die(argvs[c][0]);
        }
      }
      while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) die("wait4");
      long long t1 = now_ns();
      if (it >= 0) printf("%d %ld %lld %ld %d\n", c, it, t1 - t0, ru.ru_maxrss, status);
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  if (fflush(stdout) != 0) die("stdout");
  return 0;
}
