import NIOCore

/// The ordered header section of a request or response (RFC 9110 §5.3: order and repetition kept).
///
/// A section parsed from a received head keeps that head (`source`) and, for each line, where its
/// name and value lie in it: no copy, no string and no reference per field until something reads
/// one. Most fields are forwarded unread; a string per name and value was a tenth of the proxy's
/// user CPU, and a buffer slice per field (a reference count to take and to drop) was still
/// two atomic operations a field on every message (issue 12). Lines the proxy adds or rewrites
/// hold text.
package struct HTTPFields: Sendable, Hashable {
    /// One header line: text, or where a received line's name and value lie in the head.
    package struct Line: Sendable {
        fileprivate enum Storage: Sendable {
            case text(name: String, value: String)
            /// Offsets from the head's reader index: the name is `start..<nameEnd` (before the
            /// colon), the value `valueStart..<end` (without OWS).
            case received(start: UInt32, nameEnd: UInt32, valueStart: UInt32, end: UInt32)
        }

        fileprivate var storage: Storage
        fileprivate(set) var known: KnownFieldName

        fileprivate init(_ field: HTTPField) {
            self.storage = .text(name: field.name, value: field.value)
            self.known = field.known
        }

        /// A line as received (validated by the parser); offsets as in `Storage.received`.
        init(start: Int, nameEnd: Int, valueStart: Int, end: Int, known: KnownFieldName) {
            self.storage = .received(start: UInt32(truncatingIfNeeded: start), nameEnd: UInt32(truncatingIfNeeded: nameEnd),
                                     valueStart: UInt32(truncatingIfNeeded: valueStart), end: UInt32(truncatingIfNeeded: end))
            self.known = known
        }
    }

    private var lines: [Line]
    /// The received head the `.received` lines point into; nil when none was parsed.
    private var source: ByteBuffer?

    package init(_ fields: [HTTPField] = []) {
        self.lines = fields.map(Line.init)
        self.source = nil
    }

    /// The fields of a received head: `lines` point into `source`'s readable bytes, which must
    /// not be written to while this section lives (a write would copy them, as ever with a ByteBuffer).
    init(received source: ByteBuffer, lines: [Line]) {
        self.lines = lines
        self.source = source
    }

    package var count: Int { lines.count }

    /// Every field as a value, in order. For rules, tests and other paths that are not every
    /// message's: the proxy's own per-message steps read lines by index.
    package var fields: [HTTPField] {
        get { lines.indices.map(field(at:)) }
        set {
            lines = newValue.map(Line.init)
            source = nil
        }
    }

    package func field(at index: Int) -> HTTPField {
        HTTPField(name: name(at: index), value: value(at: index), known: lines[index].known)
    }

    /// The classified name of line `index`.
    @inline(__always)
    func known(at index: Int) -> KnownFieldName { lines[index].known }

    package func name(at index: Int) -> String {
        switch lines[index].storage {
        case .text(let name, _): name
        case .received(let start, let nameEnd, _, _): receivedString(Int(start)..<Int(nameEnd))
        }
    }

    package func value(at index: Int) -> String {
        switch lines[index].storage {
        case .text(_, let value): value
        case .received(_, _, let valueStart, let end): receivedString(Int(valueStart)..<Int(end))
        }
    }

    private func receivedString(_ range: Range<Int>) -> String {
        source!.withUnsafeReadableBytes { String(latin1: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Whether line `index`'s name is `name` (ASCII case-insensitive).
    func hasName(_ name: FieldName, at index: Int) -> Bool {
        let line = lines[index]
        if name.known != .other { return line.known == name.known }
        guard line.known == .other else { return false }
        switch line.storage {
        case .text(let own, _):
            return own.equalsIgnoringASCIICase(name.text)
        case .received(let start, let nameEnd, _, _):
            return source!.withUnsafeReadableBytes { bytes in
                var expected = name.text
                return expected.withUTF8 {
                    UnsafeRawBufferPointer($0).equalsIgnoringASCIICase(UnsafeRawBufferPointer(rebasing: bytes[Int(start)..<Int(nameEnd)]))
                }
            }
        }
    }

    /// The bytes of line `index`'s name and value: as received, or at most that for text (its
    /// UTF-8 length, never less than its Latin-1 length).
    func nameAndValueBytes(at index: Int) -> Int {
        switch lines[index].storage {
        case .text(let name, let value): name.utf8.count + value.utf8.count
        case .received(let start, let nameEnd, let valueStart, let end): Int(nameEnd - start) + Int(end - valueStart)
        }
    }

    package mutating func setValue(_ value: String, at index: Int) {
        lines[index].storage = .text(name: name(at: index), value: value)
    }

    mutating func remove(at index: Int) {
        lines.remove(at: index)
    }

    /// Removes the lines `shouldRemove` picks; it is given this section and a line's index.
    mutating func removeAll(where shouldRemove: (_ fields: HTTPFields, _ index: Int) -> Bool) {
        // Chosen first, then removed: the lines are not changed while `shouldRemove` reads them.
        let doomed = lines.indices.map { shouldRemove(self, $0) }
        guard doomed.contains(true) else { return }
        var kept = 0
        for index in lines.indices where !doomed[index] {
            if kept != index { lines.swapAt(kept, index) }
            kept += 1
        }
        lines.removeLast(lines.count - kept)
    }

    /// The lines' array, emptied and handed back for another head to reuse; the section is left empty.
    mutating func takeLineStorage() -> [Line] {
        var spent: [Line] = []
        swap(&spent, &lines)
        source = nil
        spent.removeAll(keepingCapacity: true)
        return spent
    }

    var lineCapacity: Int { lines.capacity }

    // MARK: writing

    /// At least the bytes `write(to:at:)` takes.
    var writtenBound: Int {
        var n = 2
        for index in lines.indices { n += nameAndValueBytes(at: index) + 4 }
        return n
    }

    /// Writes every line (`name: value` CRLF) and the empty line at `at`, each scalar of a text
    /// line as one byte, a received line's bytes as they arrived.
    func write(to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        // The loop is written out on both sides: through a helper method called from the closure
        // it cost 4 (one server) to 16 (seeds) more reference-count operations a request
        // (bench-allocs --refcounts).
        if let source {
            source.withUnsafeReadableBytes { bytes in
                for index in lines.indices { Self.write(lines[index], from: bytes, to: out, at: &at) }
            }
        } else {
            for index in lines.indices { Self.write(lines[index], from: nil, to: out, at: &at) }
        }
        Self.writeCRLF(to: out, at: &at)
    }

    @inline(__always)
    private static func write(_ line: Line, from bytes: UnsafeRawBufferPointer?, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        switch line.storage {
        case .text(let name, let value):
            out.copyLatin1(name, at: &at)
            out[at] = UInt8(ascii: ":")
            out[at + 1] = UInt8(ascii: " ")
            at += 2
            out.copyLatin1(value, at: &at)
        case .received(let start, let nameEnd, let valueStart, let end):
            let bytes = bytes!.baseAddress!
            let nameLength = Int(nameEnd - start), valueLength = Int(end - valueStart)
            let base = out.baseAddress! + at
            base.copyMemory(from: bytes + Int(start), byteCount: nameLength)
            base.storeBytes(of: UInt8(ascii: ":"), toByteOffset: nameLength, as: UInt8.self)
            base.storeBytes(of: UInt8(ascii: " "), toByteOffset: nameLength + 1, as: UInt8.self)
            (base + nameLength + 2).copyMemory(from: bytes + Int(valueStart), byteCount: valueLength)
            at += nameLength + 2 + valueLength
        }
        writeCRLF(to: out, at: &at)
    }

    @inline(__always)
    private static func writeCRLF(to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        out[at] = 0x0D
        out[at + 1] = 0x0A
        at += 2
    }

    // MARK: lookups

    /// The first value of `name` (case-insensitive), if any.
    package func first(_ name: String) -> String? { first(FieldName(name)) }

    func first(_ name: FieldName) -> String? {
        for index in lines.indices where hasName(name, at: index) { return value(at: index) }
        return nil
    }

    /// Every value of `name`, in order.
    package func values(_ name: String) -> [String] { values(FieldName(name)) }

    func values(_ name: FieldName) -> [String] {
        lines.indices.compactMap { hasName(name, at: $0) ? value(at: $0) : nil }
    }

    /// How many lines carry `name`.
    package func occurrences(_ name: String) -> Int { occurrences(FieldName(name)) }

    func occurrences(_ name: FieldName) -> Int {
        var n = 0
        for index in lines.indices where hasName(name, at: index) { n += 1 }
        return n
    }

    package func contains(_ name: String) -> Bool { first(FieldName(name)) != nil }

    func contains(_ name: FieldName) -> Bool {
        lines.indices.contains { hasName(name, at: $0) }
    }

    package mutating func add(_ name: String, _ value: String) {
        lines.append(Line(HTTPField(name: name, value: value)))
    }

    package mutating func remove(_ name: String) {
        let name = FieldName(name)
        removeAll { fields, index in fields.hasName(name, at: index) }
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
        for index in lines.indices where hasName(name, at: index) {
            // Commas are ASCII, so splitting on UTF-8 indices never cuts a scalar.
            let value = value(at: index)
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

    // MARK: Hashable, as the fields it holds

    package static func == (lhs: HTTPFields, rhs: HTTPFields) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in lhs.lines.indices where lhs.name(at: index) != rhs.name(at: index) || lhs.value(at: index) != rhs.value(at: index) {
            return false
        }
        return true
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for index in lines.indices {
            hasher.combine(name(at: index))
            hasher.combine(value(at: index))
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
