import Logging
import Synchronization

/// Keeps each log record as `message key=value ...` for tests to read.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var records: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var handler: Handler { Handler(capture: self) }

    /// The swift-log handler writing into a `LogCapture` (a value, as swift-log expects).
    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
