#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// HAProxy's `pidfile PATH`: the process id, written at start and removed at exit.
struct PIDFile {
    let path: String

    struct CannotWrite: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "pidfile \(path): cannot write it: \(String(cString: strerror(errno)))" }
    }

    /// Writes `getpid()` and a newline, replacing the file.
    func create() throws {
        let text = "\(getpid())\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CannotWrite(path: path, errno: errno) }
        defer { close(descriptor) }
        let written = text.withCString { write(descriptor, $0, strlen($0)) }
        guard written == text.utf8.count else { throw CannotWrite(path: path, errno: errno) }
    }

    /// Removes the file (at exit); a file already gone is fine.
    func remove() {
        unlink(path)
    }
}
