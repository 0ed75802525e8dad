#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes to the standard streams without Foundation's `FileHandle`: the binary links only
/// FoundationEssentials (issue 12, the proxy's cost: Foundation and ICU mapped ~9 MiB of an idle node).
enum StandardStreams {
    /// Writes `text` to stderr as it is (no newline added).
    static func error(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes `text` to stdout at once, bypassing `print`'s buffer (terminal control sequences).
    static func output(_ text: String) {
        fflush(nil)
        write(text, to: STDOUT_FILENO)
    }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
