import NIOCore

/// The watchdogs of one loop's HTTP sessions: a binary min-heap of deadlines, with one NIO task
/// set for the earliest (HAProxy keeps each thread's timeouts in one tree the same way).
///
/// A NIO task per session cost each idle keep-alive client about 300 bytes of heap (the task,
/// its promise and its closure: `scripts/bench-idle-heap`, issue 12) and three allocations per
/// connection; an entry here is 16 bytes of one array. Each session knows its entry's index
/// (`HTTPSession.watchdogSlot`, -1 without one), so moving or removing it is O(log n).
/// Touched only on the loop.
final class SessionWatchdogs {
    private struct Entry {
        var deadline: NIODeadline
        /// Strong, as the task per session was: `HTTPSession.stopWatchdog` removes the entry.
        let session: HTTPSession
    }

    private var heap: [Entry] = []
    private let eventLoop: any EventLoop
    private var task: Scheduled<Void>?
    /// When `task` runs; `distantFuture` without one.
    private var taskDeadline = NIODeadline.distantFuture

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// How many sessions have a watchdog set.
    var count: Int { heap.count }

    /// When `session`'s watchdog is set for; nil without one.
    func deadline(of session: HTTPSession) -> NIODeadline? {
        session.watchdogSlot >= 0 ? heap[session.watchdogSlot].deadline : nil
    }

    /// Sets `session`'s watchdog to `deadline`, or moves it there.
    func schedule(_ session: HTTPSession, at deadline: NIODeadline) {
        let slot = session.watchdogSlot
        if slot >= 0 {
            let earlier = deadline < heap[slot].deadline
            heap[slot].deadline = deadline
            if earlier { siftUp(slot) } else { siftDown(slot) }
        } else {
            heap.append(Entry(deadline: deadline, session: session))
            session.watchdogSlot = heap.count - 1
            siftUp(heap.count - 1)
        }
        armTask()
    }

    /// Removes `session`'s watchdog, if set. The task stays: run early, it finds nothing due
    /// and is set again for the new earliest.
    func cancel(_ session: HTTPSession) {
        let slot = session.watchdogSlot
        guard slot >= 0 else { return }
        remove(at: slot)
    }

    private func remove(at slot: Int) {
        heap[slot].session.watchdogSlot = -1
        let last = heap.count - 1
        if slot != last {
            heap.swapAt(slot, last)
            heap[slot].session.watchdogSlot = slot
        }
        heap.removeLast()
        if slot < heap.count {
            siftDown(slot)
            siftUp(slot)
        }
    }

    private func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].deadline < heap[parent].deadline else { return }
            swapEntries(i, parent)
            i = parent
        }
    }

    private func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != i else { return }
            swapEntries(i, smallest)
            i = smallest
        }
    }

    private func swapEntries(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heap[a].session.watchdogSlot = a
        heap[b].session.watchdogSlot = b
    }

    /// Sets the task for the earliest deadline, unless it already runs at or before it.
    private func armTask() {
        guard let first = heap.first?.deadline, first < taskDeadline else { return }
        task?.cancel()
        taskDeadline = first
        task = eventLoop.assumeIsolated().scheduleTask(deadline: first) { [self] in fire() }
    }

    /// Runs every watchdog that is due, then sets the task for the next. The due ones are taken
    /// out first: one that sets itself again for a time already past runs at the next task, as
    /// its own NIO task would have, not in a loop here.
    private func fire() {
        task = nil
        taskDeadline = .distantFuture
        let now = eventLoop.now
        var due: [HTTPSession] = []
        while let first = heap.first, first.deadline <= now {
            due.append(first.session)
            remove(at: 0)
        }
        for session in due { session.watchdogFired() }
        armTask()
    }
}
