/// Why a TLS connection ended badly, in words an operator reads in a log line.
///
/// Each case is one termination reason: the proxy logs `description` as it is. OpenSSL's own
/// reason string (`reason`) is kept where OpenSSL gave one.
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarse enough to count and test on.
    public enum Kind: Sendable, Hashable {
        /// The handshake failed (bad ClientHello, no shared cipher, alert from the client, ...).
        case handshakeFailure
        /// The client offered only protocol versions outside `ssl-min-ver`..`ssl-max-ver`.
        case protocolVersionRefused
        /// The client spoke plain HTTP to a TLS listener.
        case plaintextHTTP
        /// `strict-sni`: the client sent no server name, or one no certificate covers.
        case unknownServerName
        /// The connection closed in the middle of the handshake (a ClientHello cut short, ...).
        case unexpectedEOF
        /// The handshake did not finish within its timeout (HAProxy's `timeout client`).
        case handshakeTimeout
        /// A record failed after the handshake (bad MAC, unexpected message).
        case protocolError
        /// Client side with `verify required`: the server's certificate did not verify.
        case certificateVerificationFailed
    }

    public var kind: Kind
    /// OpenSSL's reason string (`ERR_reason_error_string`), or hactl's own words.
    public var reason: String

    public init(_ kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .handshakeFailure: "SSL handshake failure (\(reason))"
        case .protocolVersionRefused: "SSL handshake failure: protocol version refused (\(reason))"
        case .plaintextHTTP: "SSL handshake failure: plain HTTP on a TLS port"
        case .unknownServerName: "SSL handshake failure: unknown server name (\(reason)) with strict-sni"
        case .unexpectedEOF: "SSL handshake failure: connection closed during the handshake"
        case .handshakeTimeout: "SSL handshake timeout"
        case .protocolError: "SSL protocol error (\(reason))"
        case .certificateVerificationFailed: "SSL server certificate verification failed (\(reason))"
        }
    }
}

/// A certificate or setting a `TLSServerContext` cannot use; `path` names the file at fault.
public struct TLSConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The certificate file or directory, when the error is about one.
    public var path: String?
    public var message: String

    public init(path: String?, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { message }
}
