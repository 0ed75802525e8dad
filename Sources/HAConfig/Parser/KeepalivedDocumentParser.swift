import HACore

/// Reads a keepalived.conf document (keepalived.conf(5)): `global_defs`, `vrrp_script`,
/// `vrrp_instance`, `vrrp_sync_group`, `track_file`/`vrrp_track_file` go to the VRRP parsers,
/// `virtual_server` to `VirtualServerImporter`.
struct KeepalivedDocumentParser {
    let diagnostics: Diagnostics

    static let sections = ["global_defs", "vrrp_script", "vrrp_instance", "vrrp_sync_group", "vrrp_track_file", "track_file", "virtual_server"]

    func parse(_ statements: [Statement]) -> Configuration {
        var configuration = Configuration()
        let vrrp = VRRPSectionParser(diagnostics: diagnostics)
        var sawGlobal = false
        var skippingHAProxySection = false
        for statement in statements {
            let keyword = statement.keyword.text
            if skippingHAProxySection, !Self.sections.contains(keyword), statement.block == nil,
               !SectionedDocumentParser.proxySections.contains(keyword) {
                continue
            }
            skippingHAProxySection = false
            guard Self.sections.contains(keyword) else {
                if SectionedDocumentParser.proxySections.contains(keyword) {
                    skippingHAProxySection = true
                    diagnostics.error(at: statement.location, keyword: keyword,
                                      "'\(keyword)' is an HAProxy section, but this file reads as keepalived.conf because it uses '{ }' blocks: keep HAProxy sections in their own file, or write the VRRP sections one item per line without braces")
                } else if let reason = UnsupportedKeywords.keepalivedSections[keyword] {
                    diagnostics.error(at: statement.location, keyword: keyword,
                                      UnsupportedKeywords.message(keyword, origin: .keepalived, reason: reason))
                } else {
                    diagnostics.error(at: statement.location, keyword: keyword, "unknown keepalived section",
                                      suggestion: KeywordSuggestion.nearest(to: keyword, in: Self.sections))
                }
                continue
            }
            guard let block = statement.block else {
                diagnostics.error(at: statement.endLocation, keyword: keyword, "expected '{' to open the \(keyword) block")
                continue
            }
            var header = statement
            header.block = nil
            let section = SectionSource(header: header, body: block)
            switch keyword {
            case "global_defs":
                if !sawGlobal { configuration.global.location = header.location }
                sawGlobal = true
                ArgumentReader(header, diagnostics: diagnostics).expectEnd("'{'")
                GlobalSectionParser(diagnostics: diagnostics, haproxyKeys: false, keepalivedKeys: true)
                    .parse(block, into: &configuration.global)
            case "vrrp_script":
                if let script = vrrp.parseScript(section) { configuration.vrrpScripts.append(script) }
            case "vrrp_instance":
                if let instance = vrrp.parseInstance(section) { configuration.vrrpInstances.append(instance) }
            case "vrrp_sync_group":
                if let group = vrrp.parseSyncGroup(section) { configuration.vrrpSyncGroups.append(group) }
            case "vrrp_track_file", "track_file":
                if let file = vrrp.parseTrackFile(section) { configuration.vrrpTrackFiles.append(file) }
            case "virtual_server":
                if let (frontend, backend) = VirtualServerImporter(diagnostics: diagnostics).importSection(section) {
                    configuration.frontends.append(frontend)
                    configuration.backends.append(backend)
                }
            default:
                break
            }
        }
        return configuration
    }
}
