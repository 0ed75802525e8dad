import Dispatch
import Synchronization

/// A serial queue of its own for calls that block in `sendmsg(2)`: sd_notify(3) and
/// sd_journal_sendv(3) both write to a unix datagram socket whose reader (systemd, journald)
/// may stop reading; the socket's queue then fills and the call blocks. Made from a task, that
/// blocks a thread of Swift's cooperative pool (two on a 2-core machine: two such calls stop
/// every task of the process). So the calls leave from here, in order, one at a time; past
/// `limit` unsent ones, new ones are dropped rather than piled up, and counted: `dropped` in
/// total, and each admitted call learns how many were dropped just before it, so that it can
/// say so where its reader will see it.
public final class SendQueue: Sendable {
    private let queue: DispatchQueue
    private let limit: Int
    private let state = Mutex(State())

    private struct State {
        var pending = 0
        var dropped = 0
        /// Dropped since the last admitted call.
        var droppedUnreported = 0
    }

    /// `label` names the dispatch queue (seen in a debugger); `limit` is the most calls queued
    /// and not yet finished.
    public init(label: String, limit: Int) {
        queue = DispatchQueue(label: label)
        self.limit = limit
    }

    /// Queues `send`; returns false, and counts a drop, when `limit` calls are already pending.
    /// `send` receives how many calls were dropped since the previous admitted one (0 mostly).
    @discardableResult
    public func submit(_ send: @escaping @Sendable (_ droppedBefore: Int) -> Void) -> Bool {
        let droppedBefore = state.withLock { state -> Int? in
            guard state.pending < limit else {
                state.dropped += 1
                state.droppedUnreported += 1
                return nil
            }
            state.pending += 1
            defer { state.droppedUnreported = 0 }
            return state.droppedUnreported
        }
        guard let droppedBefore else { return false }
        queue.async {
            send(droppedBefore)
            self.state.withLock { $0.pending -= 1 }
        }
        return true
    }

    /// Calls dropped since the queue was made, because `limit` were pending.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Waits (at most `timeout`) until every call queued so far has returned: before the
    /// process exits, so that `STOPPING=1` or the last log entries are not lost.
    public func flush(timeout: Duration = .seconds(1)) {
        let done = DispatchSemaphore(value: 0)
        queue.async { done.signal() }
        let (seconds, attoseconds) = timeout.components
        _ = done.wait(timeout: .now() + .milliseconds(Int(seconds * 1000 + attoseconds / 1_000_000_000_000_000)))
    }
}
