import NIOCore

/// One header field as it travels through the proxy (RFC 9110 §5).
///
/// Values are kept byte for byte: each byte is one `Unicode.Scalar` (ISO-8859-1), so
/// obs-text passes through unchanged when the field is written back.
///
/// A field parsed from a received head keeps its bytes where they arrived (a slice of the head,
/// sharing its memory) and makes a `String` of its name or value only when something reads it:
/// most fields are forwarded unread, and making two strings per field was a tenth of the
/// proxy's user CPU on a response from nginx (issue 12). A field the proxy writes holds text.
package struct HTTPField: Sendable, Hashable {
    private var storage: Storage
    /// The name classified once, so the lookups the proxy makes on every message compare a byte.
    private(set) var known: KnownFieldName

    private enum Storage: Sendable {
        case text(name: String, value: String)
        /// `line`'s readable bytes are `name:` OWS `value`; the name ends at `nameEnd` and the
        /// value starts at `valueStart` (offsets from the slice's reader index).
        case received(line: ByteBuffer, nameEnd: UInt32, valueStart: UInt32)
    }

    package init(name: String, value: String) {
        self.storage = .text(name: name, value: value)
        self.known = KnownFieldName(name)
    }

    /// A field whose name was already classified.
    init(name: String, value: String, known: KnownFieldName) {
        self.storage = .text(name: name, value: value)
        self.known = known
    }

    /// A field as received: `line` holds its name, colon, OWS and value (validated by the parser).
    init(received line: ByteBuffer, nameEnd: Int, valueStart: Int, known: KnownFieldName) {
        self.storage = .received(line: line, nameEnd: UInt32(truncatingIfNeeded: nameEnd),
                                 valueStart: UInt32(truncatingIfNeeded: valueStart))
        self.known = known
    }

    package var name: String {
        get {
            switch storage {
            case .text(let name, _): name
            case .received(let line, let nameEnd, _): line.withUnsafeReadableBytes { String(latin1: UnsafeRawBufferPointer(rebasing: $0[..<Int(nameEnd)])) }
            }
        }
        set {
            storage = .text(name: newValue, value: value)
            known = KnownFieldName(newValue)
        }
    }

    package var value: String {
        get {
            switch storage {
            case .text(_, let value): value
            case .received(let line, _, let valueStart): line.withUnsafeReadableBytes { String(latin1: UnsafeRawBufferPointer(rebasing: $0[Int(valueStart)...])) }
            }
        }
        set { storage = .text(name: name, value: newValue) }
    }

    /// Whether this field's name is `name` (ASCII case-insensitive).
    @inline(__always)
    func hasName(_ name: FieldName) -> Bool {
        if name.known != .other { return known == name.known }
        guard known == .other else { return false }
        switch storage {
        case .text(let own, _):
            return own.equalsIgnoringASCIICase(name.text)
        case .received(let line, let nameEnd, _):
            return line.withUnsafeReadableBytes { bytes in
                var expected = name.text
                return expected.withUTF8 { UnsafeRawBufferPointer($0).equalsIgnoringASCIICase(UnsafeRawBufferPointer(rebasing: bytes[..<Int(nameEnd)])) }
            }
        }
    }

    /// The bytes of the name and the value: as received, or at most that for text (its UTF-8
    /// length, never less than its Latin-1 length).
    @inline(__always)
    var nameAndValueBytes: Int {
        switch storage {
        case .text(let name, let value): name.utf8.count + value.utf8.count
        case .received(let line, let nameEnd, let valueStart): Int(nameEnd) + line.readableBytes - Int(valueStart)
        }
    }

    /// At least the bytes `write(to:at:)` takes, without the line's CRLF.
    @inline(__always)
    var writtenBound: Int { nameAndValueBytes + 2 }

    /// Writes `name: value` (without CRLF) at `at`, each scalar as one byte; a received field's
    /// bytes are copied as they arrived.
    @inline(__always)
    func write(to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        switch storage {
        case .text(let name, let value):
            out.copyLatin1(name, at: &at)
            out[at] = UInt8(ascii: ":")
            out[at + 1] = UInt8(ascii: " ")
            at += 2
            out.copyLatin1(value, at: &at)
        case .received(let line, let nameEnd, let valueStart):
            line.withUnsafeReadableBytes { bytes in
                let nameEnd = Int(nameEnd), valueStart = Int(valueStart)
                let base = out.baseAddress! + at
                base.copyMemory(from: bytes.baseAddress!, byteCount: nameEnd)
                base.storeBytes(of: UInt8(ascii: ":"), toByteOffset: nameEnd, as: UInt8.self)
                base.storeBytes(of: UInt8(ascii: " "), toByteOffset: nameEnd + 1, as: UInt8.self)
                (base + nameEnd + 2).copyMemory(from: bytes.baseAddress! + valueStart, byteCount: bytes.count - valueStart)
                at += nameEnd + 2 + bytes.count - valueStart
            }
        }
    }

    package static func == (lhs: HTTPField, rhs: HTTPField) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }
}

/// The field names the proxy itself reads or rewrites on every message; every other name is `.other`.
enum KnownFieldName: UInt8, Sendable, Hashable {
    case other
    case connection, keepAlive, proxyConnection, te, trailer, upgrade
    case transferEncoding, contentLength, host, cookie, setCookie
    /// Read on every response that a `cookie ... nocache` backend inserts a cookie into.
    case cacheControl, pragma

    init(_ name: some StringProtocol) {
        // The length and the first letter pick the one candidate; a full comparison confirms it.
        let candidate = Self.candidate(count: name.utf8.count, initial: (name.utf8.first ?? 0) | 0x20)
        self = candidate != .other && name.equalsIgnoringASCIICase(candidate.lowercased) ? candidate : .other
    }

    /// Classifies a name from its bytes as received, before any String is made of them.
    init(bytes: UnsafeRawBufferPointer) {
        let candidate = Self.candidate(count: bytes.count, initial: (bytes.first ?? 0) | 0x20)
        guard candidate != .other else {
            self = .other
            return
        }
        let spelling = candidate.spelling
        let expected = UnsafeRawBufferPointer(start: spelling.utf8Start, count: spelling.utf8CodeUnitCount)
        for i in 0..<bytes.count {
            let b = bytes[i]
            // Only letters fold; the expected spelling is lower case.
            let folded = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if folded != expected[i] {
                self = .other
                return
            }
        }
        self = candidate
    }

    private static func candidate(count: Int, initial: UInt8) -> KnownFieldName {
        switch (count, initial) {
        case (2, _): .te
        case (4, _): .host
        case (6, UInt8(ascii: "p")): .pragma
        case (6, _): .cookie
        case (7, UInt8(ascii: "u")): .upgrade
        case (7, _): .trailer
        case (10, UInt8(ascii: "c")): .connection
        case (10, UInt8(ascii: "k")): .keepAlive
        case (10, _): .setCookie
        case (13, UInt8(ascii: "c")): .cacheControl
        case (14, _): .contentLength
        case (16, _): .proxyConnection
        case (17, _): .transferEncoding
        default: .other
        }
    }

    /// `lowercased`, as static bytes.
    private var spelling: StaticString {
        switch self {
        case .other: ""
        case .connection: "connection"
        case .keepAlive: "keep-alive"
        case .proxyConnection: "proxy-connection"
        case .te: "te"
        case .trailer: "trailer"
        case .upgrade: "upgrade"
        case .transferEncoding: "transfer-encoding"
        case .contentLength: "content-length"
        case .host: "host"
        case .cookie: "cookie"
        case .setCookie: "set-cookie"
        case .cacheControl: "cache-control"
        case .pragma: "pragma"
        }
    }

    var lowercased: String {
        switch self {
        case .other: ""
        case .connection: "connection"
        case .keepAlive: "keep-alive"
        case .proxyConnection: "proxy-connection"
        case .te: "te"
        case .trailer: "trailer"
        case .upgrade: "upgrade"
        case .transferEncoding: "transfer-encoding"
        case .contentLength: "content-length"
        case .host: "host"
        case .cookie: "cookie"
        case .setCookie: "set-cookie"
        case .cacheControl: "cache-control"
        case .pragma: "pragma"
        }
    }

    /// Fields that never travel past one hop (RFC 9110 §7.6.1).
    var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade: true
        default: false
        }
    }
}

/// A field name to look up: classified once where it is made.
struct FieldName {
    let text: String
    let known: KnownFieldName

    init(_ text: String) {
        self.text = text
        self.known = KnownFieldName(text)
    }

    init(_ known: KnownFieldName) {
        self.text = known.lowercased
        self.known = known
    }

    static var connection: FieldName { FieldName(.connection) }
    static var upgrade: FieldName { FieldName(.upgrade) }
    static var transferEncoding: FieldName { FieldName(.transferEncoding) }
    static var contentLength: FieldName { FieldName(.contentLength) }
    static var host: FieldName { FieldName(.host) }
    static var setCookie: FieldName { FieldName(.setCookie) }
}

/// The ordered header section of a request or response (RFC 9110 §5.3: order and repetition kept).
package struct HTTPFields: Sendable, Hashable {
    package var fields: [HTTPField]

    package init(_ fields: [HTTPField] = []) {
        self.fields = fields
    }

    package var count: Int { fields.count }

    /// The first value of `name` (case-insensitive), if any.
    package func first(_ name: String) -> String? { first(FieldName(name)) }

    func first(_ name: FieldName) -> String? {
        // By index: `for field in fields` copies each field, retaining its two strings.
        for i in fields.indices where fields[i].hasName(name) { return fields[i].value }
        return nil
    }

    /// Every value of `name`, in order.
    package func values(_ name: String) -> [String] { values(FieldName(name)) }

    func values(_ name: FieldName) -> [String] {
        fields.compactMap { $0.hasName(name) ? $0.value : nil }
    }

    /// How many lines carry `name`.
    package func occurrences(_ name: String) -> Int { occurrences(FieldName(name)) }

    func occurrences(_ name: FieldName) -> Int {
        var n = 0
        for i in fields.indices where fields[i].hasName(name) { n += 1 }
        return n
    }

    package func contains(_ name: String) -> Bool { first(FieldName(name)) != nil }

    func contains(_ name: FieldName) -> Bool { first(name) != nil }

    package mutating func add(_ name: String, _ value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    package mutating func remove(_ name: String) {
        let name = FieldName(name)
        fields.removeAll { $0.hasName(name) }
    }

    /// Replaces every `name` line with one line holding `value`.
    package mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Comma-separated list elements of every `name` line, trimmed (RFC 9110 §5.6.1).
    package func listElements(_ name: String) -> [Substring] { listElements(FieldName(name)) }

    func listElements(_ name: FieldName) -> [Substring] {
        var result: [Substring] = []
        forEachListElement(name) { result.append($0) }
        return result
    }

    /// Visits the list elements of every `name` line without collecting them.
    func forEachListElement(_ name: FieldName, _ body: (Substring) -> Void) {
        for i in fields.indices where fields[i].hasName(name) {
            // Commas are ASCII, so splitting on UTF-8 indices never cuts a scalar.
            let value = fields[i].value
            var start = value.utf8.startIndex
            var i = start
            while true {
                let atEnd = i == value.utf8.endIndex
                if atEnd || value.utf8[i] == UInt8(ascii: ",") {
                    let element = value[start..<i].trimmingOWS()
                    if !element.isEmpty { body(element) }
                    if atEnd { break }
                    start = value.utf8.index(after: i)
                }
                i = value.utf8.index(after: i)
            }
        }
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, the comparison HTTP names and tokens use.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in Self.equalIgnoringASCIICase(a, b) }
        }
        if let fast, let result = fast { return result }
        return zip(utf8, other.utf8).allSatisfy { $0 | Self.caseBit($0) == $1 | Self.caseBit($1) }
    }

    private static func equalIgnoringASCIICase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<a.count where a[i] | caseBit(a[i]) != b[i] | caseBit(b[i]) { return false }
        return true
    }

    /// 0x20 for an ASCII capital (folding it to lower case), 0 otherwise.
    private static func caseBit(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? 0x20 : 0
    }

    /// Whether the string starts with `prefix`, ignoring ASCII case.
    func hasPrefixIgnoringASCIICase(_ prefix: some StringProtocol) -> Bool {
        guard utf8.count >= prefix.utf8.count else { return false }
        return self.prefix(prefix.count).equalsIgnoringASCIICase(prefix)
    }

    /// Without leading and trailing spaces and tabs (OWS).
    func trimmingOWS() -> Substring {
        let s = Substring(self)
        let isOWS = { (b: UInt8) in b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        var start = s.utf8.startIndex, end = s.utf8.endIndex
        while start < end, isOWS(s.utf8[start]) { start = s.utf8.index(after: start) }
        while end > start, isOWS(s.utf8[s.utf8.index(before: end)]) { end = s.utf8.index(before: end) }
        return s[start..<end]
    }
}
