/* LD_PRELOAD tracer for scripts/link-order: records which pages of the executable's code segment
 * the process touches. The segment is made inaccessible before the program's own initializers
 * run; each first access faults into this handler, which appends the page's offset (8 bytes) to
 * $TEXT_TOUCH_FILE and gives the page its access back. Nothing else changes: the program runs to
 * its end as usual (a fault outside the segment is delivered as the crash it is).
 * Copyright the hactl authors, Apache-2.0. */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uintptr_t seg_start, seg_end, load_base;
static int out_fd = -1;

static void on_fault(int sig, siginfo_t *info, void *ucontext) {
  (void)ucontext;
  uintptr_t addr = (uintptr_t)info->si_addr;
  if (addr >= seg_start && addr < seg_end) {
    uintptr_t page = addr & ~(uintptr_t)4095;
    uint64_t offset = page - load_base;
    if (out_fd >= 0) { ssize_t n = write(out_fd, &offset, sizeof offset); (void)n; }
    if (mprotect((void *)page, 4096, PROT_READ | PROT_EXEC) == 0) return;
  }
  signal(sig, SIG_DFL);  /* not ours: crash as the program would have */
}

static int find_main(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size; (void)data;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
      load_base = info->dlpi_addr;
      seg_start = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)4095;
      seg_end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + 4095) & ~(uintptr_t)4095;
    }
  }
  return 1;  /* the first object is the executable */
}

__attribute__((constructor)) static void start(void) {
  const char *path = getenv("TEXT_TOUCH_FILE");
  if (!path) return;
  unsetenv("LD_PRELOAD");  /* children (health-check scripts, notify) run untraced */
  out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  dl_iterate_phdr(find_main, NULL);
  if (!seg_start) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  mprotect((void *)seg_start, seg_end - seg_start, PROT_NONE);
}
