import CNetlink
import Glibc

/// Work done inside a named network namespace (`ip netns add NAME`, `/run/netns/NAME`):
/// the body runs on a fresh thread that joined the namespace with setns(2), so every socket it
/// opens (netlink, raw, AF_PACKET) belongs to that namespace for its whole life.
public enum NetworkNamespace {
    /// The namespace could not be opened or joined (errno in `code`).
    public struct Failure: Error, CustomStringConvertible {
        public var name: String
        public var code: Int32
        public var description: String { "cannot enter network namespace \(name): \(String(cString: strerror(code)))" }
    }

    /// Runs `body` inside namespace `name` and returns its result; the caller waits.
    public static func run<T>(in name: String, _ body: @escaping () throws -> T) throws -> T {
        var result: Result<T, any Error>?
        let job = Job(name: name) { result = Result { try body() } }
        try job.runAndWait()
        if let failure = job.failure { throw failure }
        return try result!.get()
    }

    private static let newNetworkNamespace: Int32 = 0x4000_0000  // CLONE_NEWNET

    private final class Job: @unchecked Sendable {
        let name: String
        let work: () -> Void
        var failure: Failure?

        init(name: String, work: @escaping () -> Void) {
            self.name = name
            self.work = work
        }

        func runAndWait() throws {
            var thread = pthread_t()
            let box = Unmanaged.passRetained(self).toOpaque()
            let rc = pthread_create(&thread, nil, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                job.enterAndWork()
                return nil
            }, box)
            guard rc == 0 else {
                Unmanaged<Job>.fromOpaque(box).release()
                throw Failure(name: name, code: rc)
            }
            pthread_join(thread, nil)
        }

        private func enterAndWork() {
            let fd = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                failure = Failure(name: name, code: errno)
                return
            }
            defer { close(fd) }
            guard setns(fd, NetworkNamespace.newNetworkNamespace) == 0 else {
                failure = Failure(name: name, code: errno)
                return
            }
            work()
        }
    }
}
