import HACore

/// The values inside a `vrrp_instance`: booleans, list items, authentication, addresses,
/// track references and notify commands.
extension VRRPSectionParser {
    func isInterfaceName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 15 && !text.contains("/") && !text.contains(" ") && text != "." && text != ".."
    }

    /// keepalived booleans: no argument means true; else on/off, true/false, yes/no.
    func parseBool(_ arguments: inout ArgumentReader) -> Bool? {
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
    func items(of statement: Statement, what: String) -> [[Word]] {
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
    func parseAuthentication(_ statement: Statement) -> VRRPAuthentication? {
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
    func parseVirtualAddress(_ words: [Word], in statement: Statement) -> VirtualIPAddress? {
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
            case "dev", "label", "brd", "scope":
                guard index < words.count else {
                    diagnostics.error(at: statement.location(of: option), keyword: keyword, "expected a value after '\(option.text)'")
                    return nil
                }
                let value = words[index]
                index += 1
                switch option.text {
                case "dev": address.device = value.text
                case "label": address.label = value.text
                case "brd":
                    guard family == .ipv4, IPAddressFamily.isIPv4(value.text) else {
                        diagnostics.error(at: statement.location(of: value), keyword: keyword, "expected an IPv4 broadcast address after 'brd', got '\(value.text)'")
                        return nil
                    }
                    address.broadcast = value.text
                default:
                    guard ["global", "site", "link", "host"].contains(value.text) else {
                        diagnostics.error(at: statement.location(of: value), keyword: keyword, "expected a scope (global, site, link or host), got '\(value.text)'",
                                          suggestion: KeywordSuggestion.nearest(to: value.text, in: ["global", "site", "link", "host"]))
                        return nil
                    }
                    address.scope = value.text
                }
            case "peer", "home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin", "no_track", "use_vmac", "preferred_lft", "track_group":
                diagnostics.error(at: statement.location(of: option), keyword: keyword, UnsupportedKeywords.message("\(keyword) ... \(option.text)", origin: .keepalived))
                return nil
            default:
                diagnostics.error(at: statement.location(of: option), keyword: keyword, "unexpected '\(option.text)': expected 'dev IFACE', 'label LABEL', 'brd ADDRESS' or 'scope SCOPE' (one address per line)",
                                  suggestion: KeywordSuggestion.nearest(to: option.text, in: ["dev", "label", "brd", "scope"]))
                return nil
            }
        }
        return address
    }

    /// `NAME [weight N] [reverse|noreverse|no_reverse]`.
    func parseTrackReference(_ words: [Word], in statement: Statement, weightLimit: Int) -> TrackReference? {
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

}

extension VRRPSectionParser {
    /// `vrrp_witness ADDR [interval D] [fall N] [rise N]` (hactl's own keyword).
    func parseWitness(_ arguments: inout ArgumentReader, at location: SourceLocation) -> VRRPWitnessConfig? {
        guard let word = arguments.require("the witness's IPv4 address") else { return nil }
        switch IPAddressFamily.of(word.text) {
        case .ipv4?:
            break
        case .ipv6?:
            diagnostics.error(
                at: arguments.location(of: word), keyword: "vrrp_witness",
                "an IPv6 witness is not supported by hactl yet (the probe is ICMPv4 echo); use an IPv4 witness on an IPv4 instance")
            return nil
        case nil:
            diagnostics.error(at: arguments.location(of: word), keyword: "vrrp_witness", "expected an IPv4 address, got '\(word.text)'")
            return nil
        }
        var witness = VRRPWitnessConfig(address: word.text, location: location)
        while let option = arguments.next() {
            switch option.text {
            case "interval":
                guard let value = arguments.duration("a probe interval", bare: .seconds) else { return nil }
                guard value >= .milliseconds(10) else {
                    diagnostics.error(at: arguments.location(of: option), keyword: "vrrp_witness", "interval must be at least 10ms")
                    return nil
                }
                witness.interval = value
            case "fall":
                guard let value = arguments.integer("a count of failed rounds", in: 1...100) else { return nil }
                witness.fall = value
            case "rise":
                guard let value = arguments.integer("a count of answered rounds", in: 1...100) else { return nil }
                witness.rise = value
            default:
                diagnostics.error(
                    at: arguments.location(of: option), keyword: "vrrp_witness",
                    "unexpected '\(option.text)': expected interval, fall or rise",
                    suggestion: KeywordSuggestion.nearest(to: option.text, in: ["interval", "fall", "rise"]))
                return nil
            }
        }
        return witness
    }
}
