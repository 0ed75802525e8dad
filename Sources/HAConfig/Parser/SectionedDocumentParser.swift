import HACore

/// Reads a hactl.conf or haproxy.cfg document: splits its statements into sections by their
/// keyword (HAProxy's rule: a section starts at a section keyword wherever it is indented) and
/// hands each section to its parser. `defaults` are inherited the HAProxy way.
struct SectionedDocumentParser {
    let diagnostics: Diagnostics
    /// `false` for haproxy.cfg: VRRP sections are not HAProxy's.
    let allowsVRRP: Bool

    static let proxySections = ["global", "defaults", "frontend", "backend", "listen"]
    /// HAProxy's `peers`, read as the hactl pair (the peer channel), in haproxy.cfg too.
    static let pairSections = ["peers"]
    static let vrrpSections = ["vrrp_instance", "vrrp_sync_group", "vrrp_script", "vrrp_track_file"]

    func parse(_ statements: [Statement]) -> Configuration {
        var configuration = Configuration()
        let sections = split(statements)
        var lastDefaults = ProxyDraft()
        var namedDefaults: [String: ProxyDraft] = [:]
        let vrrp = VRRPSectionParser(diagnostics: diagnostics)
        var sawGlobal = false
        for section in sections {
            let header = section.header
            switch header.keyword.text {
            case "global":
                if !sawGlobal { configuration.global.location = header.location }
                sawGlobal = true
                ArgumentReader(header, diagnostics: diagnostics).expectEnd("nothing after 'global'")
                GlobalSectionParser(diagnostics: diagnostics, haproxyKeys: true, keepalivedKeys: allowsVRRP)
                    .parse(section.body, into: &configuration.global)
            case "defaults":
                let (name, parent) = proxyHeader(header, nameRequired: false, namedDefaults: namedDefaults)
                var draft = (parent ?? ProxyDraft()).inherited()
                ProxySectionParser(diagnostics: diagnostics, kind: .defaults, crtBase: configuration.global.crtBase,
                                   caBase: configuration.global.caBase)
                    .parse(section.body, into: &draft)
                lastDefaults = draft
                if let name { namedDefaults[name] = draft }
            case "frontend", "backend", "listen":
                let kind = ProxyDraft.Kind(rawValue: header.keyword.text)!
                let (name, parent) = proxyHeader(header, nameRequired: true, namedDefaults: namedDefaults)
                var draft = (parent ?? lastDefaults).inherited()
                if kind == .listen, let bindWord = listenBindWord(header) {
                    // Old syntax: `listen NAME ADDRESS:PORT`.
                    let bindStatement = Statement(file: header.file, words: [Word(text: "bind", line: bindWord.line, column: bindWord.column), bindWord], block: nil)
                    draft.binds += ProxySectionParser(diagnostics: diagnostics, kind: .listen, crtBase: configuration.global.crtBase).parseBind(bindStatement)
                }
                ProxySectionParser(diagnostics: diagnostics, kind: kind, crtBase: configuration.global.crtBase, name: name ?? "",
                                   caBase: configuration.global.caBase)
                    .parse(section.body, into: &draft)
                guard let name else { continue }
                if kind != .backend {
                    configuration.frontends.append(draft.frontend(name: name, location: header.location, isListen: kind == .listen))
                }
                if kind != .frontend {
                    configuration.backends.append(draft.backend(name: name, location: header.location, isListen: kind == .listen))
                }
            case "peers":
                if let existing = configuration.peers {
                    diagnostics.error(at: header.location, keyword: "peers",
                                      "a second 'peers' section: hactl runs one pair, already described by 'peers \(existing.name)' at \(existing.location)")
                } else {
                    configuration.peers = PeersSectionParser(diagnostics: diagnostics).parse(section)
                }
            case "vrrp_instance":
                if let instance = vrrp.parseInstance(section) { configuration.vrrpInstances.append(instance) }
            case "vrrp_script":
                if let script = vrrp.parseScript(section) { configuration.vrrpScripts.append(script) }
            case "vrrp_sync_group":
                if let group = vrrp.parseSyncGroup(section) { configuration.vrrpSyncGroups.append(group) }
            case "vrrp_track_file":
                if let file = vrrp.parseTrackFile(section) { configuration.vrrpTrackFiles.append(file) }
            default:
                break
            }
        }
        return configuration
    }

    /// `NAME [from DEFAULTS]`: the name and the defaults section to inherit from.
    private func proxyHeader(_ header: Statement, nameRequired: Bool, namedDefaults: [String: ProxyDraft]) -> (String?, ProxyDraft?) {
        var arguments = ArgumentReader(header, diagnostics: diagnostics)
        var name: String?
        if let word = arguments.peek, word.text != "from" {
            _ = arguments.next()
            let parser = ProxySectionParser(diagnostics: diagnostics, kind: .defaults, crtBase: nil)
            name = parser.checkName(word, in: header, what: header.keyword.text) ? word.text : nil
        } else if nameRequired {
            diagnostics.error(at: header.endLocation, keyword: header.keyword.text, "expected a name for the \(header.keyword.text)")
            return (nil, nil)
        }
        var parent: ProxyDraft?
        if arguments.peek?.text == "from" {
            _ = arguments.next()
            guard let parentName = arguments.require("the name of a defaults section") else { return (name, nil) }
            if let found = namedDefaults[parentName.text] {
                parent = found
            } else {
                diagnostics.error(at: arguments.location(of: parentName), keyword: "from", "no 'defaults \(parentName.text)' section above this line",
                                  suggestion: KeywordSuggestion.nearest(to: parentName.text, in: namedDefaults.keys))
            }
        }
        if header.keyword.text != "listen" { arguments.expectEnd("'from DEFAULTS' or the end of the line") }
        return (name, parent)
    }

    private func listenBindWord(_ header: Statement) -> Word? {
        guard header.words.count >= 3, header.words[2].text != "from" else { return nil }
        return header.words[2]
    }

    /// Groups statements into sections; reports lines outside any section and unknown sections.
    private func split(_ statements: [Statement]) -> [SectionSource] {
        var sections: [SectionSource] = []
        var skipping = false
        let known = Self.proxySections + (allowsVRRP ? Self.vrrpSections : []) + Self.pairSections
        for statement in statements {
            let keyword = statement.keyword.text
            if known.contains(keyword) {
                sections.append(SectionSource(header: statement, body: []))
                skipping = false
                continue
            }
            if keyword.hasPrefix("."), keyword.count > 1 {
                // HAProxy 2.4+ conditional blocks and diagnostics (configuration manual §2.4).
                diagnostics.error(at: statement.location, keyword: keyword,
                                  UnsupportedKeywords.message(keyword, origin: .haproxy, reason: "conditional blocks and directives are not read; keep one configuration per deployment"))
                continue
            }
            if let reason = UnsupportedKeywords.haproxySections[keyword] {
                diagnostics.error(at: statement.location, keyword: keyword,
                                  UnsupportedKeywords.message(keyword, origin: .haproxy, reason: reason).replacing("keyword", with: "section"))
                skipping = true
                continue
            }
            if Self.vrrpSections.contains(keyword) || ["global_defs", "virtual_server"].contains(keyword) {
                diagnostics.error(at: statement.location, keyword: keyword,
                                  keyword == "global_defs" ? "keepalived's 'global_defs' keys go in 'global' in hactl.conf"
                                  : allowsVRRP ? "'\(keyword)' is a keepalived section: import it with 'hactl import --keepalived FILE'"
                                  : "'\(keyword)' is not an HAProxy section; VRRP sections belong in hactl.conf or keepalived.conf")
                skipping = true
                continue
            }
            if statement.keyword.column == 1, let suggestion = KeywordSuggestion.nearest(to: keyword, in: known) {
                diagnostics.error(at: statement.location, keyword: keyword, "unknown section", suggestion: suggestion)
                skipping = true
                continue
            }
            if skipping { continue }
            if sections.isEmpty {
                diagnostics.error(at: statement.location, keyword: keyword,
                                  "this line is outside any section: expected a section such as \(known.prefix(6).joined(separator: ", ")) first",
                                  suggestion: KeywordSuggestion.nearest(to: keyword, in: known))
                skipping = true
                continue
            }
            sections[sections.count - 1].body.append(statement)
        }
        return sections
    }
}
