public import HACore

/// HAProxy's statistics page keywords of a proxy section (configuration manual §4.2 `stats enable`,
/// `stats uri`, `stats realm`, `stats auth`, `stats refresh`, `stats admin`, `stats hide-version`):
/// the proxy answers the page itself, with the VRRP instances on top of the proxy's table.
public struct StatsPage: Sendable, Equatable, Hashable {
    /// `stats uri PREFIX` (HAProxy's default `/haproxy?stats`).
    public var uri: String
    /// `stats realm REALM` (default `HAProxy Statistics`), for the Basic authentication challenge.
    public var realm: String
    /// `stats auth USER:PASS` lines; none means no authentication.
    public var credentials: [Credential]
    /// `stats refresh DELAY`: the page reloads itself this often.
    public var refresh: Duration?
    /// `stats admin if|unless COND` lines: when one holds, the page shows the server buttons and
    /// accepts their POSTs.
    public var adminConditions: [Condition]
    /// `stats hide-version`: the page does not show hactl's version.
    public var hideVersion: Bool
    /// The first `stats` line of the section.
    public var location: SourceLocation

    /// One `stats auth USER:PASS`.
    public struct Credential: Sendable, Equatable, Hashable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    public static let defaultURI = "/haproxy?stats"
    public static let defaultRealm = "HAProxy Statistics"

    public init(uri: String = StatsPage.defaultURI, realm: String = StatsPage.defaultRealm, credentials: [Credential] = [],
                refresh: Duration? = nil, adminConditions: [Condition] = [], hideVersion: Bool = false,
                location: SourceLocation = .builtIn) {
        self.uri = uri
        self.realm = realm
        self.credentials = credentials
        self.refresh = refresh
        self.adminConditions = adminConditions
        self.hideVersion = hideVersion
        self.location = location
    }
}
