import Synchronization

/// Collects log lines written from any thread, for assertions.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var all: [String] { lines.withLock { $0 } }
}

/// Records values handed over from any task, for assertions.
final class Recorder<Element: Sendable>: Sendable {
    private let values = Mutex<[Element]>([])

    func append(_ value: Element) {
        values.withLock { $0.append(value) }
    }

    var all: [Element] { values.withLock { $0 } }
}
