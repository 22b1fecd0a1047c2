/* The smallest program that exits 0: no libc, static, a handful of pages.
 * The launcher execs it to measure the launcher's own peak memory
 * (ru_maxrss keeps the highest RSS across execve, so exec'ing a larger
 * program such as a dynamically linked `true` could hide the launcher's). */
#if defined(__x86_64__)
__attribute__((noreturn)) void _start(void) {
  __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
  __builtin_unreachable();
}
#elif defined(__aarch64__)
__attribute__((noreturn)) void _start(void) {
  __asm__ volatile("mov x8, #93\n\tmov x0, #0\n\tsvc #0");
  __builtin_unreachable();
}
#else
#error "exit0: only x86_64 and aarch64"
#endif
