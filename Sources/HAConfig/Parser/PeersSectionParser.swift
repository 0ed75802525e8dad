import HACore

/// HAProxy's `peers NAME` section as hactl reads it: `peer NAME ADDRESS:PORT` lines naming the
/// nodes of the pair, and hactl's `peer-key FILE`. Stick-table keywords are refused (hactl's
/// channel replicates no tables).
struct PeersSectionParser {
    let diagnostics: Diagnostics

    static let keywords = ["peer", "peer-key"]
    static let unsupported: [String: String] = [
        "table": "declare the table in a backend: stick-table ... peers NAME", "bind": "write the address on the 'peer' line",
        "server": "write 'peer NAME ADDRESS:PORT'", "default-bind": "write the address on the 'peer' line",
        "default-server": "write 'peer NAME ADDRESS:PORT'", "shards": "hactl pairs are not sharded",
        "log": "the peer channel logs through hactl's own log", "disabled": "remove the section instead",
        "enabled": "the section is enabled when present",
    ]

    func parse(_ section: SectionSource) -> PeersConfig? {
        var header = ArgumentReader(section.header, diagnostics: diagnostics)
        guard let name = header.require("a name for the peers section") else { return nil }
        header.expectEnd()
        var peers = PeersConfig(name: name.text, location: section.header.location)
        for statement in section.body {
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            let keyword = statement.keyword.text
            switch keyword {
            case "peer":
                guard let peerName = arguments.require("the peer's name"),
                      let endpoint = arguments.require("the peer's ADDRESS:PORT")
                else { continue }
                if let other = peers.peer(named: peerName.text) {
                    diagnostics.error(at: statement.location, keyword: "peer", "peer '\(peerName.text)' is already declared at \(other.location)")
                    continue
                }
                let split = HostPort.split(endpoint.text)
                guard let host = split.host, IPAddressFamily.of(host) != nil else {
                    diagnostics.error(at: arguments.location(of: endpoint), keyword: "peer",
                                      "expected an IP address and port such as 198.18.0.11:7100, got '\(endpoint.text)' (names are not resolved)")
                    continue
                }
                guard let portText = split.portText, let port = Int(portText), (1...65535).contains(port) else {
                    diagnostics.error(at: arguments.location(of: endpoint), keyword: "peer", "expected a port 1-65535 after the address, got '\(endpoint.text)'")
                    continue
                }
                peers.peers.append(PeersConfig.Peer(name: peerName.text, address: host, port: port, location: statement.location))
            case "peer-key":
                peers.keyFile = arguments.require("the path of the shared key file")?.text
            default:
                if let reason = Self.unsupported[keyword] {
                    diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .haproxy, reason: reason))
                } else {
                    diagnostics.unknownKeyword(statement.keyword, in: statement, section: "peers", candidates: Self.keywords)
                }
                continue
            }
            arguments.expectEnd()
        }
        return peers
    }
}
