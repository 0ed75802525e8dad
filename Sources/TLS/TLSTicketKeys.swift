#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CTLS

/// HAProxy's `tls-ticket-keys FILE`: RFC 5077 session-ticket keys from a file both nodes share,
/// so a client that got a ticket from one node resumes on the other after a failover.
///
/// The file holds one base64 key per line, each 48 bytes (16-byte name, 16-byte HMAC secret,
/// 16-byte AES-128 key) or 80 bytes (16-byte name, 32-byte HMAC secret, 32-byte AES-256 key).
/// As HAProxy documents, at least three keys, and the next-to-last one encrypts new tickets
/// while every key decrypts: rotating means appending a new key and dropping the first, so each
/// node knows a key before any node encrypts with it.
public struct TLSTicketKeys: Sendable, Hashable {
    public struct Key: Sendable, Hashable {
        public var name: [UInt8]
        public var hmacSecret: [UInt8]
        public var aesKey: [UInt8]
    }

    public var keys: [Key]
    /// The key new tickets are encrypted with.
    public var encryptionIndex: Int { keys.count - 2 }

    static let minimumCount = 3

    /// Reads and checks the file; the error names the line at fault.
    public init(contentsOf path: String) throws(TLSConfigurationError) {
        guard let file = fopen(path, "r") else {
            throw TLSConfigurationError(path: path, "cannot read tls-ticket-keys '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            text += chunk[0..<n]
        }
        try self.init(text: text, path: path)
    }

    public init(text: [UInt8], path: String) throws(TLSConfigurationError) {
        var keys: [Key] = []
        for (number, rawLine) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = Array(rawLine.filter { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") })
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard let bytes = Self.base64Decode(line), bytes.count == 48 || bytes.count == 80 else {
                throw TLSConfigurationError(path: path, "tls-ticket-keys '\(path)' line \(number + 1): expected a base64 key of 48 or 80 bytes")
            }
            let half = (bytes.count - 16) / 2
            keys.append(Key(name: Array(bytes[0..<16]), hmacSecret: Array(bytes[16..<(16 + half)]), aesKey: Array(bytes[(16 + half)...])))
        }
        guard keys.count >= Self.minimumCount else {
            throw TLSConfigurationError(path: path, "tls-ticket-keys '\(path)': \(keys.count) keys; at least \(Self.minimumCount) are needed (the next-to-last one encrypts)")
        }
        self.keys = keys
    }

    /// Standard base64 (RFC 4648 §4), padding required as `openssl base64` writes it.
    static func base64Decode(_ text: [UInt8]) -> [UInt8]? {
        guard !text.isEmpty, text.count % 4 == 0 else { return nil }
        var output = [UInt8](repeating: 0, count: text.count / 4 * 3)
        let length = EVP_DecodeBlock(&output, text, Int32(text.count))
        guard length >= 0 else { return nil }
        let padding = text.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        return Array(output[0..<(Int(length) - padding)])
    }
}

/// The keys a context's ticket callback reads (kept alive by the `TLSServerContext`).
final class TicketKeyStore {
    let keys: TLSTicketKeys

    init(_ keys: TLSTicketKeys) { self.keys = keys }

    /// OpenSSL's SSL_CTX_set_tlsext_ticket_key_evp_cb contract: 1 = use these keys, 2 = decrypt
    /// but issue a fresh ticket (an older key), 0 = unknown key name (full handshake), -1 = error.
    func handle(name: UnsafeMutablePointer<UInt8>, iv: UnsafeMutablePointer<UInt8>, cipher: OpaquePointer,
                mac: OpaquePointer, encrypt: Bool) -> Int32 {
        if encrypt {
            let key = keys.keys[keys.encryptionIndex]
            let evp = key.aesKey.count == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc()
            let ivLength = Int(EVP_CIPHER_get_iv_length(evp))
            guard RAND_bytes(iv, Int32(ivLength)) == 1 else { return -1 }
            for i in 0..<16 { name[i] = key.name[i] }
            guard EVP_EncryptInit_ex(cipher, evp, nil, key.aesKey, iv) == 1,
                  key.hmacSecret.withUnsafeBufferPointer({ ctls_ticket_mac_init(mac, $0.baseAddress, $0.count) }) == 1 else { return -1 }
            return 1
        }
        guard let index = keys.keys.firstIndex(where: { key in (0..<16).allSatisfy { name[$0] == key.name[$0] } }) else { return 0 }
        let key = keys.keys[index]
        let evp = key.aesKey.count == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc()
        guard key.hmacSecret.withUnsafeBufferPointer({ ctls_ticket_mac_init(mac, $0.baseAddress, $0.count) }) == 1,
              EVP_DecryptInit_ex(cipher, evp, nil, key.aesKey, iv) == 1 else { return -1 }
        return index == keys.encryptionIndex ? 1 : 2
    }
}

/// The C callback: finds the store through the context's app data.
let ticketKeyCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?,
                                       OpaquePointer?, OpaquePointer?, Int32) -> Int32 = { ssl, name, iv, cipher, mac, encrypt in
    guard let ssl, let name, let iv, let cipher, let mac, let context = SSL_get_SSL_CTX(ssl),
          let raw = ctls_SSL_CTX_get_app_data(context) else { return -1 }
    let store = Unmanaged<TicketKeyStore>.fromOpaque(raw).takeUnretainedValue()
    return store.handle(name: name, iv: iv, cipher: cipher, mac: mac, encrypt: encrypt == 1)
}
