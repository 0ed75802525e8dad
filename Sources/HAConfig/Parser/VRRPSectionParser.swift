import HACore

/// Parses keepalived's VRRP sections (`vrrp_instance`, `vrrp_script`, `vrrp_sync_group`,
/// `vrrp_track_file`) with keepalived's keyword meanings (keepalived.conf(5)). The same code
/// reads hactl.conf's one-item-per-line form (`virtual_ipaddress 198.18.0.1/24 dev eth0`) and
/// keepalived's `{ }` blocks (`virtual_ipaddress { ... }`).
struct VRRPSectionParser {
    let diagnostics: Diagnostics

    static let instanceKeywords = [
        "state", "interface", "virtual_router_id", "priority", "advert_int", "version", "authentication",
        "virtual_ipaddress", "virtual_ipaddress_excluded", "unicast_src_ip", "unicast_peer", "nopreempt", "preempt",
        "preempt_delay", "track_proxy", "track_script", "track_interface", "track_file", "notify", "notify_master",
        "notify_backup", "notify_fault", "notify_stop", "garp_master_delay", "garp_master_repeat",
        "garp_master_refresh", "garp_master_refresh_repeat", "vrrpv3_checksum_as_v2", "smtp_alert",
        "dont_track_primary", "mcast_src_ip",
    ]

    /// The name from a section header (`vrrp_instance VI_1`).
    func sectionName(_ header: Statement, what: String) -> String? {
        var arguments = ArgumentReader(header, diagnostics: diagnostics)
        guard let name = arguments.require("a name for the \(what)") else { return nil }
        arguments.expectEnd()
        return name.text
    }

    // MARK: vrrp_instance

    func parseInstance(_ section: SectionSource) -> VRRPInstanceConfig? {
        guard let name = sectionName(section.header, what: "VRRP instance") else { return nil }
        var instance = VRRPInstanceConfig(name: name, location: section.header.location, interface: "", virtualRouterID: 0)
        var sawInterface = false
        var sawRouterID = false
        for statement in section.body {
            let keyword = statement.keyword.text
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            if !["authentication", "virtual_ipaddress", "virtual_ipaddress_excluded", "unicast_peer", "track_script",
                 "track_interface", "track_file"].contains(keyword), statement.block != nil {
                diagnostics.error(at: statement.location, keyword: keyword, "takes no '{ }' block")
                continue
            }
            switch keyword {
            case "state":
                guard let word = arguments.require("MASTER or BACKUP") else { continue }
                guard let state = VRRPInitialState(rawValue: word.text.uppercased()) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "state", "expected MASTER or BACKUP, got '\(word.text)'",
                                      suggestion: KeywordSuggestion.nearest(to: word.text.uppercased(), in: ["MASTER", "BACKUP"]))
                    continue
                }
                instance.initialState = state
            case "interface":
                guard let word = arguments.require("an interface name such as eth0") else { continue }
                guard isInterfaceName(word.text) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "interface", "expected an interface name (at most 15 characters, no '/' or blanks), got '\(word.text)'")
                    continue
                }
                instance.interface = word.text
                sawInterface = true
            case "virtual_router_id":
                guard let id = arguments.integer("a virtual router ID", in: 1...255) else { continue }
                instance.virtualRouterID = id
                sawRouterID = true
            case "priority":
                instance.priority = arguments.integer("a priority", in: 1...255)
            case "advert_int":
                if let interval = arguments.duration("an advertisement interval", bare: .seconds) { instance.advertInterval = interval }
            case "version":
                instance.version = arguments.integer("a VRRP version", in: 2...3)
            case "authentication":
                instance.authentication = parseAuthentication(statement)
                continue
            case "virtual_ipaddress", "virtual_ipaddress_excluded":
                let addresses = items(of: statement, what: "an address such as 198.18.0.1/24").compactMap { parseVirtualAddress($0, in: statement) }
                if keyword == "virtual_ipaddress" {
                    instance.virtualIPAddresses += addresses
                } else {
                    instance.excludedVirtualIPAddresses += addresses
                }
                continue
            case "unicast_src_ip", "mcast_src_ip":
                guard let word = arguments.require("an IP address") else { continue }
                guard IPAddressFamily.of(word.text) != nil else {
                    diagnostics.error(at: arguments.location(of: word), keyword: keyword, "expected an IP address, got '\(word.text)'")
                    continue
                }
                if keyword == "unicast_src_ip" { instance.unicastSourceIP = word.text } else { instance.mcastSourceIP = word.text }
            case "unicast_peer":
                for item in items(of: statement, what: "a peer address") {
                    for word in item {
                        if ["min_ttl", "max_ttl"].contains(word.text) {
                            diagnostics.error(at: statement.location(of: word), keyword: "unicast_peer", UnsupportedKeywords.message("unicast_peer ... \(word.text)", origin: .keepalived))
                            break
                        }
                        guard IPAddressFamily.of(word.text) != nil else {
                            diagnostics.error(at: statement.location(of: word), keyword: "unicast_peer", "expected an IP address, got '\(word.text)'")
                            continue
                        }
                        instance.unicastPeers.append(word.text)
                    }
                }
                continue
            case "nopreempt":
                instance.noPreempt = true
            case "preempt":
                instance.noPreempt = false
            case "preempt_delay":
                guard let delay = arguments.duration("a delay", bare: .seconds) else { continue }
                guard delay <= .seconds(1000) else {
                    diagnostics.error(at: statement.location(of: statement.words[1]), keyword: "preempt_delay", "must be at most 1000 seconds")
                    continue
                }
                instance.preemptDelay = delay
            case "track_proxy":
                instance.trackProxy = true
            case "no":
                guard let word = arguments.require("'track_proxy'") else { continue }
                guard word.text == "track_proxy" else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "no \(word.text)", "'no' applies only to 'track_proxy' in a vrrp_instance")
                    continue
                }
                instance.trackProxy = false
                arguments.keyword = "no track_proxy"
            case "track_script", "track_interface", "track_file":
                let limit = keyword == "track_file" ? 254 : 253
                let references = items(of: statement, what: keyword == "track_interface" ? "an interface name" : "a name")
                    .compactMap { parseTrackReference($0, in: statement, weightLimit: limit) }
                switch keyword {
                case "track_script": instance.trackScripts += references
                case "track_interface": instance.trackInterfaces += references
                default: instance.trackFiles += references
                }
                continue
            case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
                let command = parseNotify(statement)
                switch keyword {
                case "notify": instance.notify = command
                case "notify_master": instance.notifyMaster = command
                case "notify_backup": instance.notifyBackup = command
                case "notify_fault": instance.notifyFault = command
                default: instance.notifyStop = command
                }
                continue
            case "garp_master_delay":
                if let value = arguments.duration("a delay", bare: .seconds) { instance.garpMasterDelay = value }
            case "garp_master_repeat":
                if let value = arguments.integer("a repeat count", in: 1...1000) { instance.garpMasterRepeat = value }
            case "garp_master_refresh":
                if let value = arguments.duration("a refresh interval", bare: .seconds) { instance.garpMasterRefresh = value == .zero ? nil : value }
            case "garp_master_refresh_repeat":
                if let value = arguments.integer("a repeat count", in: 1...1000) { instance.garpMasterRefreshRepeat = value }
            case "vrrpv3_checksum_as_v2", "old_unicast_checksum":
                instance.v3ChecksumAsV2 = true
                if keyword == "old_unicast_checksum", arguments.peek?.text == "never" {
                    _ = arguments.next()
                    instance.v3ChecksumAsV2 = false
                }
            case "smtp_alert":
                if let value = parseBool(&arguments) { instance.smtpAlert = value }
            case "dont_track_primary":
                instance.dontTrackPrimary = true
            default:
                if let reason = UnsupportedKeywords.keepalivedInstance[keyword] {
                    diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .keepalived, reason: reason))
                } else {
                    diagnostics.unknownKeyword(statement.keyword, in: statement, section: "vrrp_instance", candidates: Self.instanceKeywords)
                }
                continue
            }
            arguments.expectEnd()
        }
        if !sawInterface {
            diagnostics.error(at: section.header.location, keyword: "vrrp_instance", "vrrp_instance '\(name)' has no 'interface' line: expected the interface that sends adverts, such as 'interface eth0'")
        }
        if !sawRouterID {
            diagnostics.error(at: section.header.location, keyword: "vrrp_instance", "vrrp_instance '\(name)' has no 'virtual_router_id' line: expected an ID from 1 to 255 shared by the nodes of this virtual router")
        }
        return instance
    }

    private func isInterfaceName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 15 && !text.contains("/") && !text.contains(" ") && text != "." && text != ".."
    }

    /// keepalived booleans: no argument means true; else on/off, true/false, yes/no.
    private func parseBool(_ arguments: inout ArgumentReader) -> Bool? {
        guard let word = arguments.next() else { return true }
        switch word.text.lowercased() {
        case "on", "true", "yes": return true
        case "off", "false", "no": return false
        default:
            diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, "expected on/off, true/false or yes/no, got '\(word.text)'")
            return nil
        }
    }

    /// The items of a list keyword: each line of its `{ }` block, or the words after it.
    private func items(of statement: Statement, what: String) -> [[Word]] {
        var result: [[Word]] = []
        if statement.words.count > 1 { result.append(Array(statement.arguments)) }
        for child in statement.block ?? [] {
            if child.block != nil {
                diagnostics.error(at: child.location, keyword: statement.keyword.text, "unexpected nested '{ }' block")
                continue
            }
            result.append(child.words)
        }
        if result.isEmpty {
            diagnostics.error(at: statement.endLocation, keyword: statement.keyword.text, "expected \(what)")
        }
        return result
    }

    /// `authentication PASS|AH SECRET` or keepalived's `{ auth_type ...; auth_pass ... }`.
    private func parseAuthentication(_ statement: Statement) -> VRRPAuthentication? {
        var typeWord: Word?
        var secretWord: Word?
        if statement.words.count > 1 {
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            typeWord = arguments.next()
            secretWord = arguments.require("a password after the authentication type")
            arguments.expectEnd()
        }
        for child in statement.block ?? [] {
            var arguments = ArgumentReader(child, diagnostics: diagnostics)
            switch child.keyword.text {
            case "auth_type": typeWord = arguments.require("PASS or AH")
            case "auth_pass": secretWord = arguments.require("a password")
            default:
                diagnostics.unknownKeyword(child.keyword, in: child, section: "authentication", candidates: ["auth_type", "auth_pass"])
                continue
            }
            arguments.expectEnd()
        }
        guard let typeWord else {
            diagnostics.error(at: statement.endLocation, keyword: "authentication", "expected an authentication type, PASS or AH")
            return nil
        }
        guard let secretWord else {
            if statement.block != nil {
                diagnostics.error(at: statement.location, keyword: "authentication", "expected an 'auth_pass' line in the block")
            }
            return nil
        }
        guard !secretWord.text.isEmpty, secretWord.text.utf8.count <= 8 else {
            diagnostics.error(at: statement.location(of: secretWord), keyword: "authentication",
                              "a VRRP password is 1 to 8 characters (RFC 2338 §5.3.6); keepalived would cut '\(secretWord.text)' to '\(String(secretWord.text.utf8.prefix(8)) ?? "")'")
            return nil
        }
        switch typeWord.text.uppercased() {
        case "PASS": return .pass(secretWord.text)
        case "AH": return .ah(secretWord.text)
        default:
            diagnostics.error(at: statement.location(of: typeWord), keyword: "authentication", "expected PASS or AH, got '\(typeWord.text)'",
                              suggestion: KeywordSuggestion.nearest(to: typeWord.text.uppercased(), in: ["PASS", "AH"]))
            return nil
        }
    }

    /// `ADDRESS[/PREFIX] [dev IFACE] [label LABEL]`.
    private func parseVirtualAddress(_ words: [Word], in statement: Statement) -> VirtualIPAddress? {
        let keyword = statement.keyword.text
        let first = words[0]
        let parts = first.text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let family = IPAddressFamily.of(String(parts[0])) else {
            diagnostics.error(at: statement.location(of: first), keyword: keyword, "expected an IPv4 or IPv6 address with an optional /prefix, got '\(first.text)'")
            return nil
        }
        var prefix: Int?
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...family.maximumPrefixLength).contains(value) else {
                diagnostics.error(at: statement.location(of: first), keyword: keyword, "expected a prefix length from 0 to \(family.maximumPrefixLength), got '/\(parts[1])'")
                return nil
            }
            prefix = value
        }
        var address = VirtualIPAddress(address: String(parts[0]), prefixLength: prefix, location: statement.location(of: first))
        var index = 1
        while index < words.count {
            let option = words[index]
            index += 1
            switch option.text {
            case "dev", "label":
                guard index < words.count else {
                    diagnostics.error(at: statement.location(of: option), keyword: keyword, "expected a value after '\(option.text)'")
                    return nil
                }
                if option.text == "dev" { address.device = words[index].text } else { address.label = words[index].text }
                index += 1
            case "brd", "scope", "peer", "home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin", "no_track", "use_vmac", "preferred_lft", "track_group":
                diagnostics.error(at: statement.location(of: option), keyword: keyword, UnsupportedKeywords.message("\(keyword) ... \(option.text)", origin: .keepalived))
                return nil
            default:
                diagnostics.error(at: statement.location(of: option), keyword: keyword, "unexpected '\(option.text)': expected 'dev IFACE' or 'label LABEL' (one address per line)",
                                  suggestion: KeywordSuggestion.nearest(to: option.text, in: ["dev", "label"]))
                return nil
            }
        }
        return address
    }

    /// `NAME [weight N] [reverse|noreverse|no_reverse]`.
    private func parseTrackReference(_ words: [Word], in statement: Statement, weightLimit: Int) -> TrackReference? {
        let keyword = statement.keyword.text
        var reference = TrackReference(name: words[0].text, location: statement.location(of: words[0]))
        var index = 1
        while index < words.count {
            let option = words[index]
            index += 1
            switch option.text {
            case "weight":
                guard index < words.count else {
                    diagnostics.error(at: statement.location(of: option), keyword: keyword, "expected a weight from -\(weightLimit) to \(weightLimit) after 'weight'")
                    return nil
                }
                let value = words[index]
                index += 1
                guard let weight = Int(value.text), (-weightLimit...weightLimit).contains(weight) else {
                    diagnostics.error(at: statement.location(of: value), keyword: keyword, "expected a weight from -\(weightLimit) to \(weightLimit), got '\(value.text)'")
                    return nil
                }
                reference.weight = weight
            case "reverse":
                reference.reverse = true
            case "noreverse", "no_reverse":
                reference.reverse = false
            default:
                diagnostics.error(at: statement.location(of: option), keyword: keyword, "unexpected '\(option.text)': expected 'weight N' or 'reverse' (one name per line)",
                                  suggestion: KeywordSuggestion.nearest(to: option.text, in: ["weight", "reverse"]))
                return nil
            }
        }
        return reference
    }

    /// `notify_* COMMAND [USER [GROUP]]`: COMMAND is split into words like keepalived does.
    func parseNotify(_ statement: Statement) -> ScriptCommand? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let command = arguments.require("a command, quoted if it has arguments") else { return nil }
        var script = ScriptCommand(parsing: command.text)
        guard !script.argv.isEmpty else {
            diagnostics.error(at: arguments.location(of: command), keyword: statement.keyword.text, "expected a command, got an empty string")
            return nil
        }
        script.user = arguments.next()?.text
        script.group = arguments.next()?.text
        if let extra = arguments.peek {
            diagnostics.error(at: arguments.location(of: extra), keyword: statement.keyword.text,
                              "unexpected '\(extra.text)': expected COMMAND [USER [GROUP]]; quote the command if it has arguments")
            return nil
        }
        return script
    }

    // MARK: vrrp_script

    func parseScript(_ section: SectionSource) -> VRRPScriptConfig? {
        guard let name = sectionName(section.header, what: "VRRP script") else { return nil }
        var script = VRRPScriptConfig(name: name, command: ScriptCommand(argv: []), location: section.header.location)
        let known = ["script", "interval", "timeout", "fall", "rise", "weight", "user"]
        for statement in section.body {
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            if statement.block != nil {
                diagnostics.error(at: statement.location, keyword: statement.keyword.text, "takes no '{ }' block")
                continue
            }
            switch statement.keyword.text {
            case "script":
                let words = arguments.rest()
                if words.isEmpty {
                    diagnostics.error(at: statement.endLocation, keyword: "script", "expected a command, quoted if it has arguments")
                } else if words.count == 1 {
                    script.command = ScriptCommand(parsing: words[0].text)
                } else {
                    script.command = ScriptCommand(argv: words.map(\.text))
                }
            case "interval":
                if let value = arguments.duration("an interval", bare: .seconds) {
                    if value < .milliseconds(10) {
                        diagnostics.error(at: statement.location(of: statement.words[1]), keyword: "interval", "must be at least 10ms")
                    } else {
                        script.interval = value
                    }
                }
            case "timeout":
                script.timeout = arguments.duration("a timeout", bare: .seconds)
            case "fall":
                if let value = arguments.integer("a count of failures", in: 1...1000) { script.fall = value }
            case "rise":
                if let value = arguments.integer("a count of successes", in: 1...1000) { script.rise = value }
            case "weight":
                if let value = arguments.integer("a weight", in: -253...253) { script.weight = value }
                if arguments.peek?.text == "reverse" {
                    _ = arguments.next()
                    script.weightReverse = true
                }
            case "user":
                script.user = arguments.require("a user name")?.text
                script.group = arguments.next()?.text
            case "init_fail":
                diagnostics.error(at: statement.location, keyword: "init_fail", UnsupportedKeywords.message("init_fail", origin: .keepalived))
                continue
            default:
                diagnostics.unknownKeyword(statement.keyword, in: statement, section: "vrrp_script", candidates: known)
                continue
            }
            arguments.expectEnd()
        }
        if script.command.argv.isEmpty {
            diagnostics.error(at: section.header.location, keyword: "vrrp_script", "vrrp_script '\(name)' has no 'script' line: expected the command to run")
            return nil
        }
        return script
    }

    // MARK: vrrp_sync_group

    func parseSyncGroup(_ section: SectionSource) -> VRRPSyncGroupConfig? {
        guard let name = sectionName(section.header, what: "sync group") else { return nil }
        var group = VRRPSyncGroupConfig(name: name, location: section.header.location)
        let known = ["group", "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop", "smtp_alert"]
        for statement in section.body {
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            let keyword = statement.keyword.text
            if keyword != "group", statement.block != nil {
                diagnostics.error(at: statement.location, keyword: keyword, "takes no '{ }' block")
                continue
            }
            switch keyword {
            case "group":
                group.members += items(of: statement, what: "the names of the vrrp_instances in the group").flatMap { $0 }.map(\.text)
                continue
            case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
                let command = parseNotify(statement)
                switch keyword {
                case "notify": group.notify = command
                case "notify_master": group.notifyMaster = command
                case "notify_backup": group.notifyBackup = command
                case "notify_fault": group.notifyFault = command
                default: group.notifyStop = command
                }
                continue
            case "smtp_alert":
                if let value = parseBool(&arguments) { group.smtpAlert = value }
            case "track_script", "track_interface", "track_file", "track_process", "track_bfd", "global_tracking", "sync_group_tracking_weight", "notify_priority_changes", "notify_deleted":
                diagnostics.error(at: statement.location, keyword: keyword,
                                  UnsupportedKeywords.message("\(keyword) in vrrp_sync_group", origin: .keepalived, reason: keyword.hasPrefix("track") ? "track on the member instances" : nil))
                continue
            default:
                diagnostics.unknownKeyword(statement.keyword, in: statement, section: "vrrp_sync_group", candidates: known)
                continue
            }
            arguments.expectEnd()
        }
        if group.members.isEmpty {
            diagnostics.error(at: section.header.location, keyword: "vrrp_sync_group", "vrrp_sync_group '\(name)' has no 'group' line: expected the instances that change state together")
        }
        return group
    }

    // MARK: vrrp_track_file

    func parseTrackFile(_ section: SectionSource) -> VRRPTrackFileConfig? {
        guard let name = sectionName(section.header, what: "track file") else { return nil }
        var trackFile = VRRPTrackFileConfig(name: name, path: "", location: section.header.location)
        for statement in section.body {
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            switch statement.keyword.text {
            case "file":
                if let path = arguments.require("a file path") { trackFile.path = path.text }
            case "weight":
                if let value = arguments.integer("a weight", in: -254...254) { trackFile.weight = value }
                if arguments.peek?.text == "reverse" {
                    _ = arguments.next()
                    trackFile.weightReverse = true
                }
            case "init_file":
                diagnostics.error(at: statement.location, keyword: "init_file", UnsupportedKeywords.message("init_file", origin: .keepalived))
                continue
            default:
                diagnostics.unknownKeyword(statement.keyword, in: statement, section: "vrrp_track_file", candidates: ["file", "weight"])
                continue
            }
            arguments.expectEnd()
        }
        if trackFile.path.isEmpty {
            diagnostics.error(at: section.header.location, keyword: "vrrp_track_file", "vrrp_track_file '\(name)' has no 'file' line: expected the path of the file to watch")
            return nil
        }
        return trackFile
    }
}
