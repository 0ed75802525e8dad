import Synchronization

/// Collects log lines written from any thread, for assertions.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var all: [String] { lines.withLock { $0 } }
}
