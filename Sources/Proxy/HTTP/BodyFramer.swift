/// Follows a message body through the bytes that carry it, without copying them (RFC 9112 §6, §7.1).
///
/// The proxy forwards bodies as they arrive; this machine says how many of the arriving bytes
/// still belong to the body, validates chunk-size lines and trailers on the way, and says when
/// the body is complete so that the next bytes are the next message.
package struct BodyFramer: Sendable {
    enum State: Sendable, Hashable {
        case length(remaining: Int64)
        case chunkSize(value: UInt64, digits: Int)
        case chunkSizeWhitespace
        case chunkExtension
        case chunkSizeLF(value: UInt64)
        case chunkData(remaining: UInt64)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerLine
        case trailerLF
        case finalLF
        case untilClose
        case done
    }

    private(set) var state: State
    /// The size of the chunk whose size line is being read (kept across `chunkSizeWhitespace`/`chunkExtension`).
    private var pendingSize: UInt64 = 0

    package init(_ framing: BodyFraming) {
        switch framing {
        case .none: state = .done
        case .length(let n): state = n == 0 ? .done : .length(remaining: n)
        case .chunked: state = .chunkSize(value: 0, digits: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the whole body has been seen.
    package var isComplete: Bool { state == .done }

    /// Whether the body ends only when the connection closes.
    package var endsAtClose: Bool { state == .untilClose }

    /// Consumes body bytes from the front of `bytes`.
    /// - Returns: how many leading bytes belong to the body; when `isComplete` becomes true,
    ///   the remaining bytes belong to the next message.
    package mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        try consume(bytes) { _ in }
    }

    /// `consume`, also telling `payload` where the body's own bytes are (chunk data, not
    /// chunk-size lines or trailers): what a proxy that transforms the body reads.
    @inline(__always)
    package mutating func consume(_ bytes: UnsafeRawBufferPointer, payload: (Range<Int>) -> Void) throws(HTTPParseError) -> Int {
        var i = 0
        let count = bytes.count
        while i < count {
            switch state {
            case .done:
                return i
            case .untilClose:
                payload(i..<count)
                return count
            case .length(let remaining):
                let take = Int(min(Int64(count - i), remaining))
                payload(i..<(i + take))
                i += take
                state = remaining - Int64(take) == 0 ? .done : .length(remaining: remaining - Int64(take))
            case .chunkData(let remaining):
                let take = Int(min(UInt64(count - i), remaining))
                payload(i..<(i + take))
                i += take
                state = remaining - UInt64(take) == 0 ? .chunkDataCR : .chunkData(remaining: remaining - UInt64(take))
            case .chunkSize(let value, let digits):
                let b = bytes[i]
                if let d = Self.hexValue(b) {
                    guard digits < 15 else { throw .invalidChunk }
                    state = .chunkSize(value: value << 4 | UInt64(d), digits: digits + 1)
                } else {
                    guard digits > 0 else { throw .invalidChunk }
                    pendingSize = value
                    switch b {
                    case 0x0D: state = .chunkSizeLF(value: value)
                    case 0x3B: state = .chunkExtension
                    case 0x20, 0x09: state = .chunkSizeWhitespace
                    default: throw .invalidChunk
                    }
                }
                i += 1
            case .chunkSizeWhitespace:
                switch bytes[i] {
                case 0x20, 0x09: break
                case 0x3B: state = .chunkExtension
                case 0x0D: state = .chunkSizeLF(value: pendingSize)
                default: throw .invalidChunk
                }
                i += 1
            case .chunkExtension:
                let b = bytes[i]
                if b == 0x0D {
                    state = .chunkSizeLF(value: pendingSize)
                } else if !HTTPHeadParser.isFieldValueByte(b) {
                    throw .invalidChunk
                }
                i += 1
            case .chunkSizeLF(let value):
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = value == 0 ? .trailerLineStart : .chunkData(remaining: value)
                i += 1
            case .chunkDataCR:
                guard bytes[i] == 0x0D else { throw .invalidChunk }
                state = .chunkDataLF
                i += 1
            case .chunkDataLF:
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = .chunkSize(value: 0, digits: 0)
                i += 1
            case .trailerLineStart:
                let b = bytes[i]
                if b == 0x0D {
                    state = .finalLF
                } else if b == 0x20 || b == 0x09 || !HTTPHeadParser.isTokenByte(b) {
                    throw .invalidChunk
                } else {
                    state = .trailerLine
                }
                i += 1
            case .trailerLine:
                let b = bytes[i]
                if b == 0x0D {
                    state = .trailerLF
                } else if !HTTPHeadParser.isFieldValueByte(b) {
                    throw .invalidChunk
                }
                i += 1
            case .trailerLF:
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = .trailerLineStart
                i += 1
            case .finalLF:
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = .done
                i += 1
            }
        }
        return i
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
