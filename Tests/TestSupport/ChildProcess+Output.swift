public import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// What a child writes on a pipe, read as it comes by a thread of its own: a child writing
    /// more than a pipe holds (64 KiB) would otherwise wait forever for a test that reads only
    /// after the exit. Each read takes what it returns; what follows is read next.
    public final class Output: @unchecked Sendable {  // `unread` and `ended` only under `condition`
        private let condition = NSCondition()
        private var unread: [UInt8] = []
        /// The child closed its end (usually: it exited).
        private var ended = false

        init(draining descriptor: Int32) {
            let thread = Thread { [self] in drain(descriptor) }
            thread.name = "ChildProcess.Output \(descriptor)"
            thread.start()
        }

        /// Everything not read yet, once the child closed its end: at its exit, unless it passed
        /// the pipe on to a process that still runs.
        public func readToEnd() -> Data {
            condition.lock()
            defer { condition.unlock() }
            while !ended { condition.wait() }
            return take(unread.count)
        }

        /// What came and was not read yet, waiting for something if nothing has; empty once the
        /// child closed its end (as `FileHandle.availableData`).
        public func readAvailable() -> Data {
            condition.lock()
            defer { condition.unlock() }
            while unread.isEmpty && !ended { condition.wait() }
            return take(unread.count)
        }

        /// The next line, without its "\n", waiting for it; at the end, an unterminated last
        /// line, then nil.
        public func readLine() -> String? {
            condition.lock()
            defer { condition.unlock() }
            while !unread.contains(0x0A) && !ended { condition.wait() }
            if let newline = unread.firstIndex(of: 0x0A) {
                return String(decoding: take(newline + 1).dropLast(), as: UTF8.self)
            }
            return unread.isEmpty ? nil : String(decoding: take(unread.count), as: UTF8.self)
        }

        /// The first `count` unread bytes, no longer unread; call with `condition` locked.
        private func take(_ count: Int) -> Data {
            defer { unread.removeFirst(count) }
            return Data(unread[..<count])
        }

        private func drain(_ descriptor: Int32) {
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }  // end-of-file, or an error that ends the pipe for us too
                condition.lock()
                unread += chunk[..<count]
                condition.broadcast()
                condition.unlock()
            }
            close(descriptor)
            condition.lock()
            ended = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
