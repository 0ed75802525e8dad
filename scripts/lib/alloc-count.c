/* LD_PRELOAD shim for scripts/bench-allocs: counts malloc, calloc, realloc and posix_memalign
 * calls of the whole process and writes "allocations N" to $ALLOC_COUNT_FILE at exit.
 * Copyright the hactl authors, Apache-2.0. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static atomic_long allocations;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static char bootstrap[4096]; static size_t used;
void *malloc(size_t n) {
  if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
  atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
  return real_malloc(n);
}
void *calloc(size_t a, size_t b) {
  if (!real_calloc) {  /* dlsym itself may call calloc */
    void *p = bootstrap + used; used += (a * b + 15) & ~15UL; return p;
  }
  atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
  return real_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  if (!real_realloc) real_realloc = dlsym(RTLD_NEXT, "realloc");
  atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
  return real_realloc(p, n);
}
int posix_memalign(void **p, size_t a, size_t n) {
  if (!real_posix_memalign) real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
  return real_posix_memalign(p, a, n);
}
void free(void *p) {
  static void (*real_free)(void *);
  if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap) return;
  if (!real_free) real_free = dlsym(RTLD_NEXT, "free");
  real_free(p);
}
__attribute__((constructor)) static void init(void) {
  real_calloc = dlsym(RTLD_NEXT, "calloc");
}
__attribute__((destructor)) static void report(void) {
  char line[64];
  int n = snprintf(line, sizeof line, "allocations %ld\n", atomic_load(&allocations));
  const char *path = getenv("ALLOC_COUNT_FILE");
  if (path) { FILE *f = fopen(path, "w"); if (f) { fputs(line, f); fclose(f); } }
}
