/// Finds where an HTTP/1.x head ends in bytes that arrive in pieces (RFC 9112 §2.2).
///
/// Refuses a bare LF or a CR not followed by LF as soon as it is seen, and a head longer
/// than `limit` (HAProxy's `tune.bufsize`) before it is complete. Leading empty lines before
/// a request line are skipped (RFC 9112 §2.2: "SHOULD ignore at least one empty line").
package struct HTTPHeadScanner: Sendable {
    /// Where the head starts and ends (exclusive, after the final CRLF) in the scanned bytes.
    package struct Span: Sendable, Hashable {
        package var start: Int
        package var end: Int
    }

    package let limit: Int
    private var scanned = 0
    private var lineStart = 0
    private var headStart = 0

    package init(limit: Int) {
        self.limit = limit
    }

    /// Forget progress: the caller consumed the previous head.
    package mutating func reset() {
        scanned = 0
        lineStart = 0
        headStart = 0
    }

    /// Scans `bytes` (which start where the head starts and grow between calls).
    /// - Returns: the head's span once its empty line has arrived, else nil.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Span? {
        var i = scanned
        let count = bytes.count
        while i < count {
            let b = bytes[i]
            if b == 0x0A {
                guard i > 0, bytes[i - 1] == 0x0D else { throw .invalidLineEnding }
                if i - 1 == lineStart {
                    if lineStart == headStart {
                        // An empty line before the start line: skip it.
                        headStart = i + 1
                        lineStart = i + 1
                    } else {
                        scanned = i + 1
                        return Span(start: headStart, end: i + 1)
                    }
                } else {
                    lineStart = i + 1
                }
            } else if b == 0x0D {
                if i + 1 < count, bytes[i + 1] != 0x0A { throw .invalidLineEnding }
            }
            i += 1
            if i - headStart > limit { throw .headTooLarge }
        }
        scanned = i
        return nil
    }
}
