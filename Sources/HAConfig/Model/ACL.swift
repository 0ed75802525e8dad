public import HACore

/// HAProxy `acl NAME CRITERION [FLAGS] VALUE...`: a named test on a request.
public struct ACL: Sendable, Equatable, Hashable {
    /// The name (empty for an anonymous `{ ... }` ACL).
    public var name: String
    public var criterion: ACLCriterion
    /// `-i`: compare case-insensitively.
    public var caseInsensitive: Bool
    /// The patterns; the ACL matches if any matches.
    public var values: [String]
    public var location: SourceLocation

    public init(name: String, criterion: ACLCriterion, caseInsensitive: Bool = false, values: [String] = [], location: SourceLocation = .builtIn) {
        self.name = name
        self.criterion = criterion
        self.caseInsensitive = caseInsensitive
        self.values = values
        self.location = location
    }
}

/// The fetch and match method of an ACL, spelt as in HAProxy (`path_beg`, `hdr(host)`, ...).
public enum ACLCriterion: Sendable, Equatable, Hashable {
    /// `path`: exact path match.
    case path
    /// `path_beg`.
    case pathBegins
    /// `path_end`.
    case pathEnds
    /// `path_sub`.
    case pathSubstring
    /// `path_dir`.
    case pathDirectory
    /// `path_reg`.
    case pathRegex
    /// `url`.
    case url
    /// `url_beg`.
    case urlBegins
    /// `url_end`.
    case urlEnds
    /// `url_sub`.
    case urlSubstring
    /// `url_reg`.
    case urlRegex
    /// `url_param(NAME)` / `urlp(NAME)`: exact match of a query parameter.
    case urlParam(String)
    /// `hdr(NAME)`: exact match of a header value.
    case header(String)
    /// `hdr_beg(NAME)`.
    case headerBegins(String)
    /// `hdr_end(NAME)`.
    case headerEnds(String)
    /// `hdr_sub(NAME)`.
    case headerSubstring(String)
    /// `hdr_reg(NAME)`.
    case headerRegex(String)
    /// `hdr_dom(NAME)`: domain-suffix match on dot boundaries.
    case headerDomain(String)
    /// `hdr_cnt(NAME)`: number of occurrences, compared as an integer.
    case headerCount(String)
    /// `status`: the response status, compared as an integer (response rules only).
    case status
    /// `res.hdr(NAME)`: exact match of a response header value (response rules only).
    case responseHeader(String)
    /// `method`.
    case method
    /// `src`: client address in a network list.
    case source
    /// `dst_port`.
    case destinationPort
    /// `ssl_fc`: the connection came in over TLS (takes no value).
    case sslFC
    /// `ssl_fc_sni`: the TLS SNI server name.
    case sslSNI
    /// `ssl_fc_protocol`: the TLS version of the client connection (`TLSv1.3`).
    case sslProtocol
    /// `ssl_fc_cipher`: the cipher the client connection agreed on (OpenSSL's name).
    case sslCipher
    /// `ssl_fc_alpn`: the ALPN protocol agreed with the client.
    case sslALPN
    /// `ssl_c_used`: the client presented a certificate (takes no value).
    case sslClientUsed
    /// `ssl_c_verify`: OpenSSL's verification result for the client certificate (0 = OK).
    case sslClientVerify
    /// `ssl_c_s_dn`, `ssl_c_i_dn`: the client certificate's subject and issuer DN (`/C=../CN=..`).
    case sslClientSubjectDN, sslClientIssuerDN
    /// `base`: the first Host header followed by the path (HAProxy: the path alone without Host).
    case base
    /// `base_beg`.
    case baseBegins
    /// `base_end`.
    case baseEnds
    /// `base_sub`.
    case baseSubstring
    /// `base_dir`.
    case baseDirectory
    /// `base_reg`.
    case baseRegex
    /// `hdr(NAME) -m found`: the header is present, whatever its value.
    case headerFound(String)
    /// `url_param(NAME) -m found`: the query string has the parameter, with or without a value.
    case urlParamFound(String)
    /// `always_true`.
    case alwaysTrue
    /// `always_false`.
    case alwaysFalse

    /// The HAProxy spelling (`path_beg`, `hdr_dom(host)`).
    public var haproxyName: String {
        switch self {
        case .path: "path"
        case .pathBegins: "path_beg"
        case .pathEnds: "path_end"
        case .pathSubstring: "path_sub"
        case .pathDirectory: "path_dir"
        case .pathRegex: "path_reg"
        case .url: "url"
        case .urlBegins: "url_beg"
        case .urlEnds: "url_end"
        case .urlSubstring: "url_sub"
        case .urlRegex: "url_reg"
        case .urlParam(let name): "url_param(\(name))"
        case .header(let name): "hdr(\(name))"
        case .headerBegins(let name): "hdr_beg(\(name))"
        case .headerEnds(let name): "hdr_end(\(name))"
        case .headerSubstring(let name): "hdr_sub(\(name))"
        case .headerRegex(let name): "hdr_reg(\(name))"
        case .headerDomain(let name): "hdr_dom(\(name))"
        case .headerCount(let name): "hdr_cnt(\(name))"
        case .status: "status"
        case .responseHeader(let name): "res.hdr(\(name))"
        case .method: "method"
        case .source: "src"
        case .destinationPort: "dst_port"
        case .sslFC: "ssl_fc"
        case .sslSNI: "ssl_fc_sni"
        case .sslProtocol: "ssl_fc_protocol"
        case .sslCipher: "ssl_fc_cipher"
        case .sslALPN: "ssl_fc_alpn"
        case .sslClientUsed: "ssl_c_used"
        case .sslClientVerify: "ssl_c_verify"
        case .sslClientSubjectDN: "ssl_c_s_dn"
        case .sslClientIssuerDN: "ssl_c_i_dn"
        case .base: "base"
        case .baseBegins: "base_beg"
        case .baseEnds: "base_end"
        case .baseSubstring: "base_sub"
        case .baseDirectory: "base_dir"
        case .baseRegex: "base_reg"
        case .headerFound(let name): "hdr(\(name))"
        case .urlParamFound(let name): "url_param(\(name))"
        case .alwaysTrue: "always_true"
        case .alwaysFalse: "always_false"
        }
    }

    /// The match method written after the fetch (`-m found`), if the fetch's name does not say it.
    public var matchMethod: String? {
        switch self {
        case .headerFound, .urlParamFound: "found"
        default: nil
        }
    }

    /// Whether the criterion is a boolean fetch that takes no pattern (`ssl_fc`, `always_true`),
    /// or a presence test (`-m found`).
    public var takesNoValue: Bool {
        switch self {
        case .sslFC, .sslClientUsed, .alwaysTrue, .alwaysFalse, .headerFound, .urlParamFound: true
        default: false
        }
    }
}

/// HAProxy's `if COND` / `unless COND`: an OR (`||`, `or`) of AND-ed terms, each term an ACL
/// name or an anonymous `{ ... }` ACL, optionally negated with `!`.
public struct Condition: Sendable, Equatable, Hashable {
    /// `if` or `unless`.
    public enum Kind: String, Sendable, Equatable, Hashable {
        case `if`
        case unless
    }

    /// One ACL reference inside a condition.
    public struct Term: Sendable, Equatable, Hashable {
        public var negated: Bool
        public var acl: ACLReference
        public var location: SourceLocation

        public init(negated: Bool = false, acl: ACLReference, location: SourceLocation = .builtIn) {
            self.negated = negated
            self.acl = acl
            self.location = location
        }
    }

    /// A named ACL (`is_api`) or an inline one (`{ ssl_fc }`).
    public enum ACLReference: Sendable, Equatable, Hashable {
        case named(String)
        case anonymous(ACL)
    }

    public var kind: Kind
    /// OR of AND groups: `a b || c` is `[[a, b], [c]]`.
    public var alternatives: [[Term]]
    public var location: SourceLocation

    public init(kind: Kind, alternatives: [[Term]], location: SourceLocation = .builtIn) {
        self.kind = kind
        self.alternatives = alternatives
        self.location = location
    }
}
