import HACore

/// keepalived `vrrp_script`, `vrrp_sync_group` and `vrrp_track_file`.
extension VRRPSectionParser {
    // MARK: vrrp_script

    func parseScript(_ section: SectionSource) -> VRRPScriptConfig? {
        guard let name = sectionName(section.header, what: "VRRP script") else { return nil }
        var script = VRRPScriptConfig(name: name, command: ScriptCommand(argv: []), location: section.header.location)
        let known = ["script", "interval", "timeout", "fall", "rise", "weight", "user"]
        for statement in section.body {
            var arguments = ArgumentReader(statement, diagnostics: diagnostics)
            if known.contains(statement.keyword.text), statement.block != nil {
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
            if keyword != "group", known.contains(keyword), statement.block != nil {
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
