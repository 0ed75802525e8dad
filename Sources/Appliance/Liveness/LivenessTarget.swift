public import HAConfig

/// One address the liveness probe connects to: a frontend's `bind`, with a wildcard bind
/// (`*:80`, `0.0.0.0:80`, `:::80`) probed through loopback.
///
/// Only `mode http` frontends are probed by connecting: there a connection that closes without
/// a request costs the proxy an accept and nothing else. A `mode tcp` frontend dials a server
/// for every connection it accepts, so connect probes would hit the backends five times a
/// second; those frontends are judged by the proxy's own state (listeners open and accepting).
/// A `bind ... ssl` line is probed over TLS: a handshake (resumed from the previous round's
/// session when the bind allows it) and then the same `OPTIONS *`, so a listener whose
/// handshakes no longer complete fails the round even while its loop runs tasks.
public struct LivenessTarget: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The frontend and bind line it comes from, for the log.
    public var origin: String
    /// Set for a `bind ... ssl` line.
    public var tls: TLSProbe?

    /// How to open a TLS connection to a `bind ... ssl` line.
    public struct TLSProbe: Sendable, Hashable {
        /// `crt PATH`: where a `strict-sni` bind's name comes from.
        public var certificatePath: String?
        /// `strict-sni`: the probe must send a name the bind serves (otherwise it sends none and
        /// gets the default certificate).
        public var strictSNI: Bool

        /// A name the default certificate is served for when a crt-list filter says so (its own
        /// names are then not enough).
        public var serverName: String?

        public init(certificatePath: String? = nil, strictSNI: Bool = false, serverName: String? = nil) {
            self.serverName = serverName
            self.certificatePath = certificatePath
            self.strictSNI = strictSNI
        }
    }

    public init(host: String, port: Int, origin: String, tls: TLSProbe? = nil) {
        self.host = host
        self.port = port
        self.origin = origin
        self.tls = tls
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Every bind of every frontend, deduplicated.
    public static func targets(for configuration: Configuration) -> [LivenessTarget] {
        var seen = Set<String>()
        var targets: [LivenessTarget] = []
        for frontend in configuration.frontends where frontend.mode == .http {
            for bind in frontend.binds {
                let host: String
                switch bind.host {
                case nil, "", "*", "0.0.0.0": host = "127.0.0.1"
                case "::", "[::]": host = "::1"
                case let specific?: host = specific.trimmingCharacters(in: ["[", "]"])
                }
                let tls = bind.ssl ? TLSProbe(certificatePath: bind.certificatePath ?? bind.certificateList.first?.path, strictSNI: bind.strictSNI,
                                              serverName: bind.certificatePath == nil ? Self.filteredName(bind.certificateList.first) : nil) : nil
                let target = LivenessTarget(host: host, port: bind.port, origin: "frontend \(frontend.name) at \(bind.location)", tls: tls)
                if seen.insert(target.description).inserted { targets.append(target) }
            }
        }
        return targets
    }
}

extension LivenessTarget {
    /// The first name a crt-list line's positive SNI filters select (`*.d` gives `hactl-probe.d`).
    static func filteredName(_ entry: CertificateListEntry?) -> String? {
        guard let filter = entry?.sniFilters.first(where: { !$0.hasPrefix("!") }) else { return nil }
        return filter.hasPrefix("*.") ? "hactl-probe" + filter.dropFirst() : filter
    }
}

extension String {
    fileprivate func trimmingCharacters(in characters: Set<Character>) -> String {
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text = text.dropFirst() }
        while let last = text.last, characters.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
