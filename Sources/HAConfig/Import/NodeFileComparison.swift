import HACore

/// Compares two nodes' keepalived.conf (each read with the shared haproxy.cfg) and names every
/// difference other than the settings each node legitimately has its own of, at the line it is on
/// in the other node's file and the line it is on in the reference node's file.
///
/// CONFIG.md "Roles instead of two files": one hactl.conf serves every node, so `hactl import`
/// accepts the nodes' files only when they agree on everything the file can say once.
struct NodeFileComparison {
    /// What may differ from node to node; everything else must be written the same in every file.
    static let nodeSpecific = "state, priority, unicast_src_ip, unicast_peer (the nodes' own addresses), mcast_src_ip, router_id and notification_email_from"

    private(set) var errors: [ConfigError] = []

    /// Every difference between `other` and `reference` outside `nodeSpecific`.
    mutating func compare(_ other: Configuration, file otherFile: String, with reference: Configuration, file referenceFile: String) {
        let (a, b) = (Self.withoutNodeSpecificSettings(reference), Self.withoutNodeSpecificSettings(other))
        guard a.withoutLocations() != b.withoutLocations() else { return }
        let global = { (configuration: Configuration, file: String) in
            let location = configuration.global.location == .builtIn ? SourceLocation(file: file, line: 1) : configuration.global.location
            return PrintedSection(title: "global_defs", location: location) { ConfigurationPrinter.printGlobal(configuration.global, into: &$0) }
        }
        compareLines(global(a, referenceFile), global(b, otherFile))
        compareSections(a.vrrpScripts, b.vrrpScripts, files: (referenceFile, otherFile), name: \.name) { script in
            PrintedSection(title: "vrrp_script \(script.name)", location: script.location) { ConfigurationPrinter.printScript(script, into: &$0) }
        }
        compareSections(a.vrrpTrackFiles, b.vrrpTrackFiles, files: (referenceFile, otherFile), name: \.name) { file in
            PrintedSection(title: "vrrp_track_file \(file.name)", location: file.location) { ConfigurationPrinter.printTrackFile(file, into: &$0) }
        }
        compareSections(a.vrrpInstances, b.vrrpInstances, files: (referenceFile, otherFile), name: \.name, printed: Self.printed(_:))
        compareSections(a.vrrpSyncGroups, b.vrrpSyncGroups, files: (referenceFile, otherFile), name: \.name) { group in
            PrintedSection(title: "vrrp_sync_group \(group.name)", location: group.location) { ConfigurationPrinter.printSyncGroup(group, into: &$0) }
        }
        compareSections(a.frontends, b.frontends, files: (referenceFile, otherFile), name: \.name) { frontend in
            PrintedSection(title: "\(frontend.isListen ? "listen" : "frontend") \(frontend.name)", location: frontend.location) {
                ConfigurationPrinter.printFrontendBody(frontend, listen: frontend.isListen, into: &$0)
            }
        }
        compareSections(a.backends, b.backends, files: (referenceFile, otherFile), name: \.name) { backend in
            PrintedSection(title: "\(backend.isListen ? "listen" : "backend") \(backend.name)", location: backend.location,
                           elementLocations: ["server": backend.servers.map(\.location)]) {
                ConfigurationPrinter.printBackendBody(backend, listen: backend.isListen, into: &$0)
            }
        }
    }

    /// `configuration` without the settings in `nodeSpecific`, which `RoleNeutralImport` checks and merges itself.
    static func withoutNodeSpecificSettings(_ configuration: Configuration) -> Configuration {
        var copy = configuration
        copy.global.routerID = nil
        copy.global.notificationEmailFrom = nil
        for index in copy.vrrpInstances.indices {
            copy.vrrpInstances[index].initialState = nil
            copy.vrrpInstances[index].priority = nil
            copy.vrrpInstances[index].unicastSourceIP = nil
            copy.vrrpInstances[index].unicastPeers = []
            copy.vrrpInstances[index].mcastSourceIP = nil
        }
        return copy
    }

    /// A `vrrp_instance` with each line's own location: list items (addresses, tracked objects)
    /// where each was written, other keywords where the keyword was.
    static func printed(_ instance: VRRPInstanceConfig) -> PrintedSection {
        var keywords = instance.keywordLocations
        if let location = keywords["old_unicast_checksum"], keywords["vrrpv3_checksum_as_v2"] == nil { keywords["vrrpv3_checksum_as_v2"] = location }
        if let location = keywords["track_proxy"], keywords["no"] == nil { keywords["no"] = location }
        return PrintedSection(
            title: "vrrp_instance \(instance.name)", location: instance.location, keywordLocations: keywords,
            elementLocations: [
                "virtual_ipaddress": instance.virtualIPAddresses.map(\.location),
                "virtual_ipaddress_excluded": instance.excludedVirtualIPAddresses.map(\.location),
                "track_script": instance.trackScripts.map(\.location),
                "track_interface": instance.trackInterfaces.map(\.location),
                "track_file": instance.trackFiles.map(\.location),
            ]
        ) { ConfigurationPrinter.printInstance(instance, into: &$0) }
    }

    /// Sections matched by name: one missing from either file is an error at the line it is on in
    /// the other; the pairs are compared line by line.
    private mutating func compareSections<Section>(
        _ reference: [Section], _ other: [Section], files: (reference: String, other: String),
        name: (Section) -> String, printed: (Section) -> PrintedSection
    ) {
        for section in reference {
            if let match = other.first(where: { name($0) == name(section) }) {
                compareLines(printed(section), printed(match))
            } else {
                let text = printed(section)
                errors.append(ConfigError(location: text.location, keyword: text.title,
                                          message: "is in \(files.reference) but not in \(files.other)\(Self.reminder)"))
            }
        }
        for section in other where !reference.contains(where: { name($0) == name(section) }) {
            let text = printed(section)
            errors.append(ConfigError(location: text.location, keyword: text.title,
                                      message: "is in \(files.other) but not in \(files.reference)\(Self.reminder)"))
        }
    }

    private static let reminder = "; the nodes' files may differ only in \(nodeSpecific)"

    /// One error per keyword whose lines differ, at the other file's line, naming the reference file's line.
    private mutating func compareLines(_ reference: PrintedSection, _ other: PrintedSection) {
        var keys: [String] = []
        for line in reference.lines + other.lines where !keys.contains(line.key) { keys.append(line.key) }
        for key in keys {
            let (a, b) = (reference.lines(for: key), other.lines(for: key))
            guard a != b else { continue }
            let index = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) ?? min(a.count, b.count)
            let (here, there) = (other.location(of: key, index: index), reference.location(of: key, index: index))
            let message: String
            let pair: (theirs: String?, ours: String?) = (index < a.count ? a[index] : nil, index < b.count ? b[index] : nil)
            switch pair {
            case let (theirs?, ours?): message = "'\(ours)' here, but '\(theirs)' at \(there)"
            case let (theirs?, nil): message = "'\(theirs)' at \(there) is missing here"
            case let (nil, ours?): message = "'\(ours)' here, but not in \(reference.title) at \(there)"
            case (nil, nil): continue
            }
            errors.append(ConfigError(location: here, keyword: key, message: "\(other.title): \(message)\(Self.reminder)"))
        }
    }
}

/// One section as the hactl.conf lines `ConfigurationPrinter` writes for it, each with where it
/// was written: comparing these compares every setting the printer knows, in the words an operator
/// reads.
struct PrintedSection {
    /// `vrrp_instance VI_1`, `global_defs`.
    var title: String
    /// The section's header line.
    var location: SourceLocation
    /// The lines without the header, indentation or comments, with their keyword (first word).
    var lines: [(key: String, text: String)]
    var keywordLocations: [String: SourceLocation]
    /// For keywords written once per item (`virtual_ipaddress`, `server`): where each item was written.
    var elementLocations: [String: [SourceLocation]]

    init(title: String, location: SourceLocation, keywordLocations: [String: SourceLocation] = [:],
         elementLocations: [String: [SourceLocation]] = [:], print: (inout ConfigWriter) -> Void) {
        self.title = title
        self.location = location
        self.keywordLocations = keywordLocations
        self.elementLocations = elementLocations
        var writer = ConfigWriter()
        print(&writer)
        lines = writer.text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(" ") else { return nil }
            let text = line.drop(while: { $0 == " " })
            guard !text.hasPrefix("#"), let key = text.split(separator: " ").first else { return nil }
            return (String(key), String(text))
        }
    }

    func lines(for key: String) -> [String] {
        lines.filter { $0.key == key }.map(\.text)
    }

    /// Where the `index`th `key` line was written; the keyword's line, or the header, when that is not known.
    func location(of key: String, index: Int) -> SourceLocation {
        if let items = elementLocations[key], index < items.count, items[index] != .builtIn { return items[index] }
        return keywordLocations[key] ?? location
    }
}
