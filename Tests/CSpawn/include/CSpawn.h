#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>

// Two glibc calls that TestSupport's ChildProcess needs and Swift's Glibc module does not
// declare (glibc declares them only under _GNU_SOURCE). Each wrapper is the one call; any logic
// stays in Swift.

/// pipe2(2) with O_CLOEXEC: both ends close-on-exec from the start, so a child another thread
/// spawns meanwhile cannot inherit them.
int cspawn_pipe_cloexec(int descriptors[2]);

/// posix_spawn_file_actions_addclosefrom_np(3) (glibc 2.34+): the child closes every descriptor
/// from `lowest` up. ENOSYS when the C library has no such action.
int cspawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

#endif
