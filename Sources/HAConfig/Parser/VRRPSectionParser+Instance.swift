import HACore

/// keepalived `vrrp_instance NAME` (keepalived.conf(5), "VRRP instance(s)").
extension VRRPSectionParser {
    func parseInstance(_ section: SectionSource) -> VRRPInstanceConfig? {
        guard let name = sectionName(section.header, what: "VRRP instance") else { return nil }
        var instance = VRRPInstanceConfig(name: name, location: section.header.location, interface: "", virtualRouterID: 0)
        var sawInterface = false
        var sawRouterID = false
        for statement in section.body {
            let keyword = statement.keyword.text
            instance.keywordLocations[keyword] = statement.location
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            if Self.instanceKeywords.contains(keyword) || keyword == "no",
               !["authentication", "virtual_ipaddress", "virtual_ipaddress_excluded", "unicast_peer", "track_script",
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
            case "garp_lower_prio_delay":
                if let value = arguments.duration("a delay", bare: .seconds) { instance.garpLowerPrioDelay = value }
            case "garp_lower_prio_repeat":
                if let value = arguments.integer("a repeat count", in: 0...1000) { instance.garpLowerPrioRepeat = value }
            case "higher_prio_send_advert":
                if let value = parseBool(&arguments) { instance.higherPrioSendAdvert = value }
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
            case "vrrp_witness":
                instance.witness = parseWitness(&arguments, at: statement.location)
                continue
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
}
