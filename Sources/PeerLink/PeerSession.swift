public import TLS

/// One connection's authentication and replay protection on the peer channel, as a pure value.
///
/// Framing: every frame is `length:u32 | type:u8 | seq:u64 | payload | tag[32]` (big-endian,
/// `length` counts what follows it). Each side opens with a HELLO (`seq` 0, payload
/// `version:u8 | nonce[16] | name`), tagged with HMAC-SHA256 over the shared key: a node with
/// another key is refused at its first frame. Every later frame is tagged over both nonces
/// (sender's first, so a frame reflected back fails) and carries `seq` = previous + 1: a frame
/// replayed within the connection fails the sequence check, one replayed from another
/// connection (other nonces) fails the tag. A side is authenticated when the peer's READY
/// (`seq` 1) verifies: only a holder of the key who saw our fresh nonce can produce it.
public struct PeerSession: Sendable {
    public enum FrameType: UInt8, Sendable {
        case hello = 1
        case ready = 2
        case health = 3
        /// Stick-table entries (`StickSync`).
        case stick = 4
    }

    public struct Frame: Sendable, Equatable {
        public var type: FrameType
        public var payload: [UInt8]
    }

    /// Why a frame was refused; every case closes the connection.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        /// The tag does not verify: the other side holds another key (or none).
        case authenticationFailed
        case replayed(expected: UInt64, got: UInt64)
        case unexpected(String)
        case unknownPeer(String)

        public var description: String {
            switch self {
            case .malformed(let why): return "malformed frame: \(why)"
            case .authenticationFailed: return "authentication failed: HMAC mismatch (wrong or missing peer-key)"
            case .replayed(let expected, let got): return "replayed or reordered frame: sequence \(got), expected \(expected)"
            case .unexpected(let why): return "protocol violation: \(why)"
            case .unknownPeer(let name): return "unknown peer '\(name)'"
            }
        }
    }

    public static let version: UInt8 = 1
    public static let nonceLength = 16
    /// Largest frame accepted (health reports are small).
    public static let maximumFrameLength = 65_536
    static let helloLabel = Array("hactl peer hello v1".utf8)
    static let frameLabel = Array("hactl peer frame v1".utf8)

    let key: [UInt8]
    public let localName: String
    public let localNonce: [UInt8]
    /// The name the peer gave in its HELLO, once verified.
    public private(set) var peerName: String?
    var peerNonce: [UInt8]?
    var sentSequence: UInt64 = 0
    var receivedSequence: UInt64 = 0
    /// The names a HELLO may carry (the other peers of the section).
    let acceptedNames: Set<String>
    public private(set) var authenticated = false

    public init(key: [UInt8], localName: String, acceptedNames: Set<String>, nonce: [UInt8] = MessageAuthentication.randomBytes(16)) {
        precondition(nonce.count == Self.nonceLength)
        self.key = key
        self.localName = localName
        self.acceptedNames = acceptedNames
        self.localNonce = nonce
    }

    /// Our HELLO frame, the first thing sent on a connection.
    public func hello() -> [UInt8] {
        let payload = [Self.version] + localNonce + Array(localName.utf8)
        let tag = MessageAuthentication.hmacSHA256(key: key, Self.helloLabel, [FrameType.hello.rawValue], Self.bytes(UInt64(0)), payload)
        return Self.frame(type: .hello, sequence: 0, payload: payload, tag: tag)
    }

    /// A READY or HEALTH frame, tagged and numbered. Needs the peer's HELLO first.
    public mutating func seal(_ type: FrameType, payload: [UInt8] = []) -> [UInt8] {
        precondition(type != .hello && peerNonce != nil, "seal before the peer's HELLO")
        sentSequence += 1
        let tag = MessageAuthentication.hmacSHA256(
            key: key, Self.frameLabel, localNonce, peerNonce!, [type.rawValue], Self.bytes(sentSequence), payload)
        return Self.frame(type: type, sequence: sentSequence, payload: payload, tag: tag)
    }

    /// Verifies one frame's body (what follows the length field). Returns it when it is good.
    public mutating func open(_ body: [UInt8]) throws(Refusal) -> Frame {
        guard body.count >= 1 + 8 + MessageAuthentication.tagLength else { throw .malformed("\(body.count) bytes") }
        guard let type = FrameType(rawValue: body[0]) else { throw .malformed("type \(body[0])") }
        let sequenceBytes = Array(body[1..<9])
        let sequence = sequenceBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let payload = Array(body[9..<(body.count - MessageAuthentication.tagLength)])
        let tag = Array(body.suffix(MessageAuthentication.tagLength))
        if type == .hello {
            guard peerNonce == nil else { throw .unexpected("a second HELLO") }
            let expected = MessageAuthentication.hmacSHA256(key: key, Self.helloLabel, [type.rawValue], sequenceBytes, payload)
            guard MessageAuthentication.tagsEqual(tag, expected) else { throw .authenticationFailed }
            guard sequence == 0, payload.count > 1 + Self.nonceLength, payload[0] == Self.version else {
                throw .malformed("HELLO of another protocol version or without a name")
            }
            let nonce = Array(payload[1...Self.nonceLength])
            guard nonce != localNonce else { throw .unexpected("our own HELLO reflected") }
            let name = String(decoding: payload[(1 + Self.nonceLength)...], as: UTF8.self)
            guard acceptedNames.contains(name) else { throw .unknownPeer(name) }
            peerNonce = nonce
            peerName = name
            return Frame(type: .hello, payload: payload)
        }
        guard let peerNonce else { throw .unexpected("a frame before HELLO") }
        let expected = MessageAuthentication.hmacSHA256(
            key: key, Self.frameLabel, peerNonce, localNonce, [type.rawValue], sequenceBytes, payload)
        guard MessageAuthentication.tagsEqual(tag, expected) else { throw .authenticationFailed }
        guard sequence == receivedSequence + 1 else { throw .replayed(expected: receivedSequence + 1, got: sequence) }
        receivedSequence = sequence
        if type == .ready {
            guard !authenticated else { throw .unexpected("a second READY") }
            authenticated = true
        } else if !authenticated {
            throw .unexpected("\(type) before READY")
        }
        return Frame(type: type, payload: payload)
    }

    static func bytes(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) } }

    static func frame(type: FrameType, sequence: UInt64, payload: [UInt8], tag: [UInt8]) -> [UInt8] {
        let body = [type.rawValue] + bytes(sequence) + payload + tag
        let length = UInt32(body.count)
        return [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)] + body
    }
}
