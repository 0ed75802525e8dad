#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
    ///
    /// Line ends are found with `memchr` (the C library's vector search), not byte by byte. A CR
    /// inside a line is not looked for here: no byte of the grammar admits one, so the parser
    /// refuses it, and reports it as `invalidLineEnding` as this scan did.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Span? {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        var i = scanned
        while i < count, let found = memchr(base + i, 0x0A, count - i) {
            let lf = base.distance(to: UnsafeRawPointer(found))
            guard lf > 0, bytes[lf - 1] == 0x0D else { throw .invalidLineEnding }
            if lf - 1 == lineStart {
                if lineStart == headStart {
                    // An empty line before the start line: skip it.
                    headStart = lf + 1
                    lineStart = lf + 1
                } else {
                    if lf - headStart > limit { throw .headTooLarge }
                    scanned = lf + 1
                    return Span(start: headStart, end: lf + 1)
                }
            } else {
                lineStart = lf + 1
            }
            i = lf + 1
            if i - headStart > limit { throw .headTooLarge }
        }
        if count - headStart > limit { throw .headTooLarge }
        scanned = count
        return nil
    }
}
