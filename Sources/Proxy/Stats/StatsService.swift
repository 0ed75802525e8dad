import HACore
import NIOCore

/// What the proxy asks the appliance for when a client wants statistics: HAProxy's stats page
/// (`stats uri`), its `;csv`/`;json` variants, an admin action posted from the page, or the
/// Prometheus exposition (`http-request use-service prometheus-exporter`, `prometheus-uri`).
///
/// The proxy knows neither the VRRP engine nor the control module, so the page is made by a
/// hook the appliance gives it (`ProxyService.statsHook`): a request for it leaves the event
/// loop for that closure (control path, rare) and the answer is written back on the loop. No
/// ordinary request pays anything for it.
public struct StatsRequest: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The page in HTML; `refresh` seconds for its self-reload; `admin` when `stats admin` holds.
        case page(refreshSeconds: Int?, admin: Bool)
        /// `;csv`: HAProxy's `show stat` columns.
        case csv
        /// `;json`: hactl's status report.
        case json
        /// A button of the page: `action` (`drain`, `maint`, `ready`) on `backend`/`server`.
        case admin(action: String, backend: String, server: String)
        /// The Prometheus text exposition format (version 0.0.4).
        case prometheus
    }

    public var kind: Kind
    /// The page's own URI (`stats uri`), for its links and forms.
    public var uri: String
    /// `stats hide-version`.
    public var hideVersion: Bool

    public init(kind: Kind, uri: String = "", hideVersion: Bool = false) {
        self.kind = kind
        self.uri = uri
        self.hideVersion = hideVersion
    }
}

/// The appliance's answer to a `StatsRequest`: the proxy frames it as an HTTP response.
public struct StatsAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String
    /// Extra header lines (`Location` for the admin POST's redirect).
    public var headers: [(String, String)]

    public init(status: Int = 200, contentType: String, body: String, headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static func == (a: StatsAnswer, b: StatsAnswer) -> Bool {
        a.status == b.status && a.contentType == b.contentType && a.body == b.body
            && a.headers.map { $0.0 + ":" + $0.1 } == b.headers.map { $0.0 + ":" + $0.1 }
    }
}

/// The closure the appliance installs to answer statistics requests.
public typealias StatsHook = @Sendable (StatsRequest) async -> StatsAnswer

/// HAProxy `stats ...` of one frontend or backend, compiled: the URI prefix, the expected
/// `Authorization` values, the admin conditions.
package struct StatsPlan: Sendable {
    package var uri: String
    package var realm: String
    /// `Basic BASE64(user:password)` for each `stats auth`; empty means no authentication.
    package var authorizations: [String]
    package var refreshSeconds: Int?
    package var admin: [Condition]
    package var hideVersion: Bool

    package init(uri: String, realm: String, credentials: [(String, String)], refreshSeconds: Int?, admin: [Condition], hideVersion: Bool) {
        self.uri = uri
        self.realm = realm
        self.authorizations = credentials.map { "Basic " + Base64.encode(Array("\($0.0):\($0.1)".utf8)) }
        self.refreshSeconds = refreshSeconds
        self.admin = admin
        self.hideVersion = hideVersion
    }

    /// HAProxy compares the URI prefix with the start of the target (query included, so
    /// `/haproxy?stats` works as a prefix).
    func matches(_ target: String) -> Bool {
        target.hasPrefix(uri)
    }

    /// Whether `head` carries one of the `stats auth` credentials (always true without any).
    func authorized(_ head: HTTPRequestHead) -> Bool {
        guard !authorizations.isEmpty else { return true }
        guard let value = head.fields.first("authorization") else { return false }
        let trimmed = value.trimmingBlanks()
        // The scheme is case-insensitive (RFC 9110 §11.1); the credentials are compared exactly.
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "basic " else { return false }
        let presented = "Basic " + trimmed.dropFirst(6).trimmingBlanks()
        return authorizations.contains(presented)
    }

    /// The request the page was asked with: `;csv`, `;json`, a POSTed action, or the page.
    func request(for head: HTTPRequestHead, facts: RequestFacts) -> StatsRequest? {
        let rest = head.target.dropFirst(uri.count)
        let admin = admin.contains { $0.evaluate(facts) }
        let kind: StatsRequest.Kind
        if head.method == "POST" {
            guard admin, let action = Self.parameter("action", in: rest), let backend = Self.parameter("b", in: rest),
                  let server = Self.parameter("s", in: rest) else { return nil }
            kind = .admin(action: action, backend: backend, server: server)
        } else if rest.hasPrefix(";csv") || rest.contains(";csv") {
            kind = .csv
        } else if rest.hasPrefix(";json") || rest.contains(";json") {
            kind = .json
        } else {
            kind = .page(refreshSeconds: refreshSeconds, admin: admin)
        }
        return StatsRequest(kind: kind, uri: uri, hideVersion: hideVersion)
    }

    /// `NAME=VALUE` among the `&`/`;`/`?`-separated parameters, percent-decoded.
    static func parameter(_ name: String, in text: Substring) -> String? {
        for part in text.split(whereSeparator: { $0 == "&" || $0 == "?" || $0 == ";" }) {
            guard let equals = part.firstIndex(of: "="), part[..<equals] == name else { continue }
            return percentDecoded(part[part.index(after: equals)...])
        }
        return nil
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    fileprivate func trimmingBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// RFC 4648 §4 base64, for comparing `Authorization: Basic` credentials.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
