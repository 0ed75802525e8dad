#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Gives the heap's free pages back to the kernel once a loop has no client left.
///
/// glibc keeps the chunks freed by closed connections inside its arenas, so without this a
/// burst of connections leaves RSS at its peak for good (issue 12: 86 MiB after 9,000 idle
/// clients closed, HAProxy back at 26 MiB). `malloc_trim(0)` walks every arena and returns
/// whole free pages; it runs only when the loop has been without a session for `delay`, never
/// on the data path.
extension LoopContext {
    static let heapTrimDelay = TimeAmount.seconds(1)

    /// Called when a session closed: arms one trim if the loop is now idle.
    func scheduleHeapTrimIfIdle() {
        guard activeSessions == 0, heapTrimTask == nil else { return }
        heapTrimTask = eventLoop.assumeIsolated().scheduleTask(in: Self.heapTrimDelay) { [weak self] in
            guard let self else { return }
            self.heapTrimTask = nil
            guard self.activeSessions == 0 else { return }
            _ = HeapTrim.trim?(0)
        }
    }
}

/// glibc's `malloc_trim`, looked up once: `malloc.h` is not part of Swift's Glibc module.
enum HeapTrim {
    typealias Function = @convention(c) (Int) -> Int32
    static let trim: Function? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
        #else
        return nil
        #endif
    }()
}
