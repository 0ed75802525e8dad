import HACore

/// The VRRP sections in hactl.conf form: keepalived keywords, one item per line.
extension ConfigurationPrinter {
    static func scriptWords(_ keyword: String, _ command: ScriptCommand) -> [String?] {
        [keyword, command.description, command.user, command.group]
    }

    static func printScript(_ script: VRRPScriptConfig, into writer: inout ConfigWriter) {
        writer.section("vrrp_script", script.name)
        writer.line("script", script.command.description)
        writer.line("interval", seconds(script.interval))
        if let timeout = script.timeout { writer.line("timeout", seconds(timeout)) }
        writer.line("fall", String(script.fall))
        writer.line("rise", String(script.rise))
        writer.line("weight", String(script.weight), script.weightReverse ? "reverse" : nil)
        if let user = script.user { writer.line("user", user, script.group) }
    }

    static func printTrackFile(_ file: VRRPTrackFileConfig, into writer: inout ConfigWriter) {
        writer.section("vrrp_track_file", file.name)
        writer.line("file", file.path)
        writer.line("weight", String(file.weight), file.weightReverse ? "reverse" : nil)
    }

    static func addressWords(_ keyword: String, _ address: VirtualIPAddress) -> [String?] {
        [keyword, "\(address.address)/\(address.prefixLength)", address.broadcast.map { _ in "brd" }, address.broadcast,
         address.device.map { _ in "dev" }, address.device, address.scope.map { _ in "scope" }, address.scope,
         address.label.map { _ in "label" }, address.label]
    }

    static func trackWords(_ keyword: String, _ reference: TrackReference) -> [String?] {
        [keyword, reference.name, reference.weight.map { _ in "weight" }, reference.weight.map(String.init), reference.reverse ? "reverse" : nil]
    }

    static func printInstance(_ instance: VRRPInstanceConfig, comments: [String] = [], into writer: inout ConfigWriter) {
        let standard = VRRPInstanceConfig(name: "", interface: "", virtualRouterID: 1)
        writer.section("vrrp_instance", instance.name)
        for comment in comments { writer.comment(comment) }
        if let state = instance.initialState { writer.line("state", state.rawValue) }
        writer.line("interface", instance.interface)
        writer.line("virtual_router_id", String(instance.virtualRouterID))
        if let priority = instance.priority { writer.line("priority", String(priority)) }
        writer.line("advert_int", seconds(instance.advertInterval))
        if let version = instance.version { writer.line("version", String(version)) }
        switch instance.authentication {
        case .pass(let secret): writer.line("authentication", "PASS", secret)
        case .ah(let secret): writer.line("authentication", "AH", secret)
        case nil: break
        }
        for address in instance.virtualIPAddresses { writer.line(addressWords("virtual_ipaddress", address)) }
        for address in instance.excludedVirtualIPAddresses { writer.line(addressWords("virtual_ipaddress_excluded", address)) }
        if let source = instance.unicastSourceIP { writer.line("unicast_src_ip", source) }
        for peer in instance.unicastPeers { writer.line("unicast_peer", peer) }
        if let source = instance.mcastSourceIP { writer.line("mcast_src_ip", source) }
        if instance.noPreempt { writer.line("nopreempt") }
        if instance.preemptDelay != .zero { writer.line("preempt_delay", seconds(instance.preemptDelay)) }
        if !instance.trackProxy { writer.line("no", "track_proxy") }
        for reference in instance.trackScripts { writer.line(trackWords("track_script", reference)) }
        for reference in instance.trackInterfaces { writer.line(trackWords("track_interface", reference)) }
        for reference in instance.trackFiles { writer.line(trackWords("track_file", reference)) }
        let notifies: [(String, ScriptCommand?)] = [
            ("notify", instance.notify), ("notify_master", instance.notifyMaster), ("notify_backup", instance.notifyBackup),
            ("notify_fault", instance.notifyFault), ("notify_stop", instance.notifyStop),
        ]
        for (keyword, command) in notifies { if let command { writer.line(scriptWords(keyword, command)) } }
        if instance.garpMasterDelay != standard.garpMasterDelay { writer.line("garp_master_delay", seconds(instance.garpMasterDelay)) }
        if instance.garpMasterRepeat != standard.garpMasterRepeat { writer.line("garp_master_repeat", String(instance.garpMasterRepeat)) }
        if let refresh = instance.garpMasterRefresh { writer.line("garp_master_refresh", seconds(refresh)) }
        if instance.garpMasterRefreshRepeat != standard.garpMasterRefreshRepeat {
            writer.line("garp_master_refresh_repeat", String(instance.garpMasterRefreshRepeat))
        }
        if let delay = instance.garpLowerPrioDelay { writer.line("garp_lower_prio_delay", seconds(delay)) }
        if let count = instance.garpLowerPrioRepeat { writer.line("garp_lower_prio_repeat", String(count)) }
        if !instance.higherPrioSendAdvert { writer.line("higher_prio_send_advert", "off") }
        if instance.v3ChecksumAsV2 { writer.line("vrrpv3_checksum_as_v2") }
        if instance.smtpAlert { writer.line("smtp_alert") }
        if instance.dontTrackPrimary { writer.line("dont_track_primary") }
        if let witness = instance.witness {
            var words = ["vrrp_witness", witness.address]
            if let interval = witness.interval { words += ["interval", seconds(interval)] }
            if witness.fall != 3 { words += ["fall", String(witness.fall)] }
            if witness.rise != 1 { words += ["rise", String(witness.rise)] }
            writer.line(words)
        }
    }

    static func printSyncGroup(_ group: VRRPSyncGroupConfig, into writer: inout ConfigWriter) {
        writer.section("vrrp_sync_group", group.name)
        writer.line(["group"] + group.members)
        let notifies: [(String, ScriptCommand?)] = [
            ("notify", group.notify), ("notify_master", group.notifyMaster), ("notify_backup", group.notifyBackup),
            ("notify_fault", group.notifyFault), ("notify_stop", group.notifyStop),
        ]
        for (keyword, command) in notifies { if let command { writer.line(scriptWords(keyword, command)) } }
        if group.smtpAlert { writer.line("smtp_alert") }
    }
}
