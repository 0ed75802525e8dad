import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// The file actions for one posix_spawn(3) call and the descriptors opened for them: ours of
/// what becomes the child's 0-2 are closed once the child has started (or failed to); our ends
/// of its pipes (`parentEnds`) are the caller's, to keep or close.
final class Plumbing {
    let command: [String]
    var actions = posix_spawn_file_actions_t()
    var childEnds: [Int32] = []
    var parentEnds: [Int32] = []

    init(command: [String]) {
        self.command = command
        posix_spawn_file_actions_init(&actions)
    }

    deinit {
        posix_spawn_file_actions_destroy(&actions)
        for descriptor in childEnds { close(descriptor) }
    }

    /// Makes `descriptor` go to `destination`; our end of its pipe, if it has one.
    func connect(_ descriptor: Int32, to destination: ChildProcess.Destination) throws -> Int32? {
        switch destination {
        case .inherit: break
        case .null: discard(descriptor)
        case .pipe: return try pipe(as: descriptor)
        case .file(let path):
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard file >= 0 else { throw ChildProcess.Failure.cannotOpen(path: path, errno: errno) }
            give(file, as: descriptor)
        case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
        }
        return nil
    }

    func discard(_ descriptor: Int32) {
        posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }

    /// A pipe whose one end becomes the child's `descriptor` (it reads fd 0, writes the others); our end.
    func pipe(as descriptor: Int32) throws -> Int32 {
        var ends: [Int32] = [-1, -1]  // read, write
        guard cspawn_pipe_cloexec(&ends) == 0 else { throw ChildProcess.Failure.cannotStart(command: command, errno: errno) }
        let (ours, theirs) = descriptor == 0 ? (ends[1], ends[0]) : (ends[0], ends[1])
        parentEnds.append(ours)
        give(theirs, as: descriptor)
        return ours
    }

    /// The child gets `file` as `descriptor` (dup2 clears close-on-exec on the copy).
    private func give(_ file: Int32, as descriptor: Int32) {
        childEnds.append(file)
        posix_spawn_file_actions_adddup2(&actions, file, descriptor)
    }

    /// Starts the child; its pid.
    func spawn(environment: [String: String]?) throws -> Int32 {
        // Last action: nothing from 3 up reaches the child. Without it in the C library (glibc
        // before 2.34), descriptors opened without O_CLOEXEC would.
        let closing = cspawn_file_actions_addclosefrom(&actions, 3)
        guard closing == 0 || closing == ENOSYS else { throw ChildProcess.Failure.cannotStart(command: command, errno: closing) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = command.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for variable in envp ?? [] { free(variable) } }
        var pid: pid_t = 0
        let result =
            if let envp { posix_spawn(&pid, command[0], &actions, &attributes, argv, envp) }
            else { posix_spawn(&pid, command[0], &actions, &attributes, argv, environ) }
        guard result == 0 else { throw ChildProcess.Failure.cannotStart(command: command, errno: result) }
        return pid
    }
}
