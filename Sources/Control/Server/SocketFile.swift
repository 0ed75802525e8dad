#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The control socket's file: its directory, a stale predecessor, its mode and owner, and its
/// removal at shutdown.
enum SocketFile {
    /// What identifies the file this process created (so shutdown removes only that one) and
    /// whose owner may talk on it.
    struct Identity: Sendable, Equatable {
        var device: UInt64
        var inode: UInt64
        var owner: uid_t
    }

    /// Creates the parent directory if missing and removes a stale socket: one nobody answers
    /// on (a crashed hactl's). A live socket or a non-socket file is left alone and reported.
    static func prepare(path: String) throws(ControlServerError) {
        try createDirectories(of: path)
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        if isAnswering(path) { throw .socketInUse(path: path) }
        unlink(path)
    }

    /// Sets mode and owner, and returns the identity of the file as it is now.
    static func applyOwnership(path: String, mode: UInt32, user: String?, group: String?) throws(ControlServerError) -> Identity {
        var uid = uid_t.max  // (uid_t)-1: leave unchanged
        var gid = gid_t.max
        if let user {
            guard let entry = getpwnam(user) else { throw .unknownUser(user) }
            uid = entry.pointee.pw_uid
        }
        if let group {
            guard let entry = getgrnam(group) else { throw .unknownGroup(group) }
            gid = entry.pointee.gr_gid
        }
        if user != nil || group != nil, chown(path, uid, gid) != 0 { throw .cannotSetOwnership(path: path, errno: errno) }
        guard chmod(path, mode_t(mode)) == 0 else { throw .cannotSetOwnership(path: path, errno: errno) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw .cannotSetOwnership(path: path, errno: errno) }
        return Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), owner: status.st_uid)
    }

    /// Unlinks the socket if it is still the file `identity` names (nil: unconditionally).
    static func remove(path: String, ifStill identity: Identity?) {
        if let identity {
            var status = stat()
            guard lstat(path, &status) == 0, UInt64(status.st_dev) == identity.device, UInt64(status.st_ino) == identity.inode else {
                return
            }
        }
        unlink(path)
    }

    private static func createDirectories(of path: String) throws(ControlServerError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var prefix = ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .cannotCreateDirectory(path: path, errno: errno)
            }
        }
    }

    /// Whether a process accepts connections on the socket at `path`.
    private static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
