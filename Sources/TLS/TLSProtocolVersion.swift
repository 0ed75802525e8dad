import CTLS

/// A TLS protocol version as HAProxy spells it in `ssl-min-ver` / `ssl-max-ver`.
public enum TLSProtocolVersion: String, Sendable, Hashable, CaseIterable, Comparable {
    case tls1_0 = "TLSv1.0"
    case tls1_1 = "TLSv1.1"
    case tls1_2 = "TLSv1.2"
    case tls1_3 = "TLSv1.3"

    /// `SSLv3` is a HAProxy spelling hactl refuses (OpenSSL 3 builds without it).
    public init?(keyword: String) {
        self.init(rawValue: keyword)
    }

    var openSSLValue: Int32 {
        switch self {
        case .tls1_0: 0x0301
        case .tls1_1: 0x0302
        case .tls1_2: 0x0303
        case .tls1_3: 0x0304
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.openSSLValue < rhs.openSSLValue }
}
