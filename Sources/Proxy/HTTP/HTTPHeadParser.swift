#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
package import NIOCore

/// Strict HTTP/1.x head grammar (RFC 9112 §3, §4, §5; RFC 9110 §5.6.2 tokens).
///
/// Input is one complete head as found by `HTTPHeadScanner` (every line CRLF-terminated,
/// ending with the empty line). Anything outside the grammar is an `HTTPParseError`:
/// obs-fold, whitespace before a colon, control bytes in values, non-token methods, a fragment
/// in the request target, more header lines than `tune.http.maxhdr` allows.
package enum HTTPHeadParser {
    /// HAProxy's `tune.http.maxhdr` default: the start line and the field lines together.
    package static let defaultMaxHeaderLines = 101

    /// `head`'s readable bytes are one complete head. Its fields keep `head` and point into it
    /// (see `HTTPFields`): pass a buffer that is not written to while they live (a write copies it).
    /// `maxHeaderLines` counts the request line with the field lines, as `tune.http.maxhdr` does:
    /// the default 101 admits 100 fields.
    /// `storage`: an emptied field array whose memory the head's fields reuse (left empty).
    package static func parseRequest(_ head: ByteBuffer, maxHeaderLines: Int = defaultMaxHeaderLines,
                                     storage: inout [HTTPFields.Line]) throws(HTTPParseError) -> HTTPRequestHead {
        try parsing(head) { bytes throws(HTTPParseError) in
            try parseRequestLines(bytes, in: head, maxHeaderLines: maxHeaderLines, storage: &storage)
        }
    }

    /// As above, from bytes (copied), into a new field array.
    package static func parseRequest(_ bytes: UnsafeRawBufferPointer, maxHeaderLines: Int = defaultMaxHeaderLines) throws(HTTPParseError) -> HTTPRequestHead {
        var storage: [HTTPFields.Line] = []
        return try parseRequest(ByteBuffer(bytes: bytes), maxHeaderLines: maxHeaderLines, storage: &storage)
    }

    /// `head`, `maxHeaderLines` and `storage` as for requests: the status line counts.
    package static func parseResponse(_ head: ByteBuffer, maxHeaderLines: Int = defaultMaxHeaderLines,
                                      storage: inout [HTTPFields.Line]) throws(HTTPParseError) -> HTTPResponseHead {
        try parsing(head) { bytes throws(HTTPParseError) in
            try parseResponseLines(bytes, in: head, maxHeaderLines: maxHeaderLines, storage: &storage)
        }
    }

    /// As above, from bytes (copied), into a new field array.
    package static func parseResponse(_ bytes: UnsafeRawBufferPointer, maxHeaderLines: Int = defaultMaxHeaderLines) throws(HTTPParseError) -> HTTPResponseHead {
        var storage: [HTTPFields.Line] = []
        return try parseResponse(ByteBuffer(bytes: bytes), maxHeaderLines: maxHeaderLines, storage: &storage)
    }

    /// Runs `parse` over `head`'s readable bytes. A head refused for any reason while a CR
    /// stands in it without its LF is refused for that line ending (RFC 9112 §2.2), as the
    /// scanner used to report it before line ends were found with memchr.
    private static func parsing<Head>(_ head: ByteBuffer,
                                      _ parse: (UnsafeRawBufferPointer) throws(HTTPParseError) -> Head) throws(HTTPParseError) -> Head {
        try head.withUnsafeReadableBytes { bytes in
            Result { () throws(HTTPParseError) in
                do throws(HTTPParseError) {
                    return try parse(bytes)
                } catch {
                    throw containsBareCR(bytes) ? .invalidLineEnding : error
                }
            }
        }.get()
    }

    private static func parseRequestLines(_ bytes: UnsafeRawBufferPointer, in head: ByteBuffer, maxHeaderLines: Int,
                                          storage: inout [HTTPFields.Line]) throws(HTTPParseError) -> HTTPRequestHead {
        var lines = LineIterator(bytes: bytes)
        guard let line = lines.next() else { throw .invalidStartLine }
        // method SP request-target SP HTTP-version
        guard let sp1 = firstIndex(of: 0x20, in: bytes, line) else { throw .invalidStartLine }
        let methodRange = line.lowerBound..<sp1
        guard !methodRange.isEmpty else { throw .invalidMethod }
        for i in methodRange where !isTokenByte(bytes[i]) { throw .invalidMethod }
        guard let sp2 = firstIndex(of: 0x20, in: bytes, (sp1 + 1)..<line.upperBound) else { throw .invalidStartLine }
        let targetRange = (sp1 + 1)..<sp2
        guard !targetRange.isEmpty else { throw .invalidTarget }
        // A fragment never belongs to a request target (RFC 9112 §3.2): forwarded, `/admin#x`
        // would slip past `path /admin` while the server serves /admin.
        for i in targetRange where bytes[i] <= 0x20 || bytes[i] >= 0x7F || bytes[i] == 0x23 { throw .invalidTarget }
        let minor = try parseVersion(bytes, (sp2 + 1)..<line.upperBound)
        let fields = try parseFields(&lines, bytes, in: head, maxFields: maxHeaderLines - 1, storage: &storage)
        let method = String(latin1: UnsafeRawBufferPointer(rebasing: bytes[methodRange]))
        let target = String(latin1: UnsafeRawBufferPointer(rebasing: bytes[targetRange]))
        return HTTPRequestHead(method: method, target: target, minorVersion: minor, fields: fields)
    }

    private static func parseResponseLines(_ bytes: UnsafeRawBufferPointer, in head: ByteBuffer, maxHeaderLines: Int,
                                           storage: inout [HTTPFields.Line]) throws(HTTPParseError) -> HTTPResponseHead {
        var lines = LineIterator(bytes: bytes)
        guard let line = lines.next() else { throw .invalidStartLine }
        // HTTP-version SP 3DIGIT SP [ reason-phrase ]
        guard let sp1 = firstIndex(of: 0x20, in: bytes, line) else { throw .invalidStartLine }
        let minor = try parseVersion(bytes, line.lowerBound..<sp1)
        let statusStart = sp1 + 1
        guard statusStart + 3 <= line.upperBound else { throw .invalidStartLine }
        var status = 0
        for i in statusStart..<(statusStart + 3) {
            let b = bytes[i]
            guard b >= 0x30 && b <= 0x39 else { throw .invalidStartLine }
            status = status * 10 + Int(b - 0x30)
        }
        guard status >= 100 else { throw .invalidStartLine }
        var reason = ""
        if statusStart + 3 < line.upperBound {
            guard bytes[statusStart + 3] == 0x20 else { throw .invalidStartLine }
            let reasonRange = (statusStart + 4)..<line.upperBound
            for i in reasonRange where !isFieldValueByte(bytes[i]) { throw .invalidStartLine }
            reason = String(latin1: UnsafeRawBufferPointer(rebasing: bytes[reasonRange]))
        }
        let fields = try parseFields(&lines, bytes, in: head, maxFields: maxHeaderLines - 1, storage: &storage)
        return HTTPResponseHead(minorVersion: minor, status: status, reason: reason, fields: fields)
    }

    private static func parseVersion(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws(HTTPParseError) -> Int {
        // "HTTP/1.0" or "HTTP/1.1", case-sensitive (RFC 9112 §2.3)
        guard range.count == 8 else { throw .invalidVersion }
        let expected: [UInt8] = [0x48, 0x54, 0x54, 0x50, 0x2F, 0x31, 0x2E]
        for k in 0..<7 where bytes[range.lowerBound + k] != expected[k] { throw .invalidVersion }
        switch bytes[range.lowerBound + 7] {
        case 0x30: return 0
        case 0x31: return 1
        default: throw .invalidVersion
        }
    }

    private static func parseFields(_ iterator: inout LineIterator, _ bytes: UnsafeRawBufferPointer, in head: ByteBuffer,
                                    maxFields: Int, storage: inout [HTTPFields.Line]) throws(HTTPParseError) -> HTTPFields {
        var fieldLines: [HTTPFields.Line] = []
        swap(&fieldLines, &storage)
        fieldLines.removeAll(keepingCapacity: true)
        if fieldLines.capacity < 16 { fieldLines.reserveCapacity(16) }
        while let line = iterator.next() {
            if line.isEmpty { break }
            guard fieldLines.count < maxFields else { throw .tooManyFields }
            let first = bytes[line.lowerBound]
            if first == 0x20 || first == 0x09 { throw .obsoleteLineFolding }
            // The name and the colon that ends it, in one pass.
            var colon = line.lowerBound
            while colon < line.upperBound, bytes[colon] != 0x3A {
                guard isTokenByte(bytes[colon]) else { throw .invalidHeaderName }
                colon += 1
            }
            guard colon < line.upperBound, colon > line.lowerBound else { throw .invalidHeaderName }
            let nameRange = line.lowerBound..<colon
            var start = colon + 1, end = line.upperBound
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            for i in start..<end where !isFieldValueByte(bytes[i]) { throw .invalidHeaderValue }
            // The line's bytes stay in `head`: the field is where they lie (no copy, no string yet).
            fieldLines.append(HTTPFields.Line(
                start: line.lowerBound, nameEnd: colon, valueStart: start, end: end,
                known: KnownFieldName(bytes: UnsafeRawBufferPointer(rebasing: bytes[nameRange]))
            ))
        }
        return HTTPFields(received: head, lines: fieldLines)
    }

    private static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// tchar (RFC 9110 §5.6.2): DIGIT, ALPHA and !#$%&'*+-.^_`|~, as a 128-bit map (no table to load).
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        let map: UInt64 = b < 64 ? 0x03FF_6CFA_0000_0000 : 0x57FF_FFFF_C7FF_FFFE
        return b < 128 && map & (1 << UInt64(b & 63)) != 0
    }

    /// field-vchar / SP / HTAB / obs-text (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool {
        b == 0x09 || (b >= 0x20 && b != 0x7F)
    }
}

/// Iterates the CRLF-terminated lines of a complete head, yielding each line without its CRLF.
/// An LF without its CR stays in the line it ends, where the grammar refuses it.
struct LineIterator {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    mutating func next() -> Range<Int>? {
        guard position < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + position, 0x0A, bytes.count - position) else { return nil }
        let lf = base.distance(to: UnsafeRawPointer(found))
        let line = lf > position && bytes[lf - 1] == 0x0D ? position..<(lf - 1) : position..<(lf + 1)
        position = lf + 1
        return line
    }
}

extension HTTPHeadParser {
    /// Whether a CR stands anywhere but right before an LF.
    static func containsBareCR(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for i in bytes.indices where bytes[i] == 0x0D && (i + 1 == bytes.count || bytes[i + 1] != 0x0A) { return true }
        return false
    }
}
