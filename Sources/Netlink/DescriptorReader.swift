import CNetlink
import Glibc
import Synchronization

/// A dedicated thread that waits (poll) for one descriptor to become readable and calls
/// `onReadable` on that thread, until `stop()`. Used for sockets NIO has no channel for:
/// raw VRRP sockets that need ancillary data (IPv6 hop limit) and netlink multicast.
public final class DescriptorReader: Sendable {
    private let descriptor: Int32
    private let wakeup: Int32
    private let thread: Mutex<pthread_t?> = Mutex(nil)

    /// - Parameter onReadable: called each time `descriptor` is readable; it must read.
    public init(descriptor: Int32, onReadable: @escaping @Sendable () -> Void) throws(NetlinkError) {
        self.descriptor = descriptor
        wakeup = eventfd(0, Int32(EFD_CLOEXEC))
        guard wakeup >= 0 else { throw NetlinkError(operation: "eventfd", code: -errno) }
        let context = Context(descriptor: descriptor, wakeup: wakeup, onReadable: onReadable)
        let box = Unmanaged.passRetained(context).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
            context.loop()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Context>.fromOpaque(box).release()
            close(wakeup)
            throw NetlinkError(operation: "pthread_create", code: -rc)
        }
        thread.withLock { $0 = handle }
    }

    /// Ends the thread and waits for it; safe to call more than once.
    public func stop() {
        guard let handle = thread.withLock({ value -> pthread_t? in
            defer { value = nil }
            return value
        }) else { return }
        var one: UInt64 = 1
        _ = write(wakeup, &one, 8)
        pthread_join(handle, nil)
        close(wakeup)
    }

    deinit { stop() }

    private final class Context: @unchecked Sendable {
        let descriptor: Int32
        let wakeup: Int32
        let onReadable: @Sendable () -> Void

        init(descriptor: Int32, wakeup: Int32, onReadable: @escaping @Sendable () -> Void) {
            self.descriptor = descriptor
            self.wakeup = wakeup
            self.onReadable = onReadable
        }

        func loop() {
            var fds = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0),
            ]
            while true {
                fds[0].revents = 0
                fds[1].revents = 0
                let rc = poll(&fds, 2, -1)
                if rc < 0 {
                    if errno == EINTR { continue }
                    return
                }
                if fds[1].revents != 0 { return }
                if fds[0].revents & Int16(POLLNVAL) != 0 { return }
                if fds[0].revents != 0 { onReadable() }
            }
        }
    }
}
