public import HAConfig
import HACore
import Netlink

/// Turning the typed configuration into `InstancePlan`s: versions, addresses, tracked objects,
/// notify commands and sync groups, with an error naming the line for anything we cannot run.
extension VRRPEngine {
    /// Every instance's plan, or every error of every instance.
    static func plans(
        for configuration: Configuration, settings: (VRRPInstanceConfig) -> InstanceSettings
    ) throws(VRRPConfigurationErrors) -> [InstancePlan] {
        var plans: [InstancePlan] = []
        var errors: [VRRPConfigurationError] = []
        for instance in configuration.vrrpInstances {
            do {
                plans.append(try plan(for: instance, in: configuration, settings: settings(instance)))
            } catch {
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw VRRPConfigurationErrors(errors) }
        warnOfUnevenSyncGroups(&plans)
        return plans
    }

    /// What `hactl check`, `hactl run` and a reload learn before anything starts: everything the
    /// engine would refuse, in every instance (AH authentication, scripts as another user, a
    /// VRRPv2 sub-second interval...). Pure: interfaces and addresses are looked up only when
    /// the engine starts.
    public static func validate(_ configuration: Configuration) throws(VRRPConfigurationErrors) {
        // Role and --priority change only the priority, which HAConfig has already bounded.
        _ = try plans(for: configuration) { InstanceSettings(priority: $0.priority ?? 240, state: $0.initialState ?? .backup) }
    }

    /// A sync group moves all its members with any one of them. When its members have different
    /// priorities here, a peer that ranks them the other way wins one member, takes the whole
    /// group with it, loses the other member, and so on: the group flaps. Said once at start.
    static func warnOfUnevenSyncGroups(_ plans: inout [InstancePlan]) {
        var seen = Set<String>()
        for group in plans.compactMap(\.syncGroup) where seen.insert(group).inserted {
            let members = plans.indices.filter { plans[$0].syncGroup == group }
            guard Set(members.map { plans[$0].priority }).count > 1 else { continue }
            let ranking = members.map { "\(plans[$0].name) \(plans[$0].priority)" }.joined(separator: ", ")
            for member in members {
                plans[member].warnings.append(
                    "vrrp_sync_group \(group) has members of different priorities (\(ranking)): "
                        + "if the peer ranks them otherwise the group flaps; give them one priority")
            }
        }
    }

    /// `nopreempt` and `preempt_delay` as they take effect. keepalived.conf(5) says both need an
    /// initial state other than MASTER, and keepalived clears them with a warning when the file
    /// says `state MASTER`: so does hactl, for a `state MASTER` written in the file. The role
    /// (`hactl run --role master`) is not such a state: it only sets the initial priority and
    /// state of a file both nodes share (and every instance starts in BACKUP), so `nopreempt` and
    /// `preempt_delay` apply with either role.
    static func preemption(of instance: VRRPInstanceConfig, warnings: inout [String]) -> (preempt: Bool, delay: Duration) {
        guard instance.initialState == .master else { return (!instance.noPreempt, instance.preemptDelay) }
        let statedAt = "state MASTER at \(instance.location(of: "state"))"
        if instance.noPreempt {
            warnings.append(
                "nopreempt will not work with initial state MASTER (\(statedAt)): preemption stays on, as keepalived does; "
                    + "leave state out and let hactl run --role set it to keep nopreempt")
        }
        if instance.preemptDelay > .zero {
            warnings.append(
                "preempt_delay will not work with initial state MASTER (\(statedAt)): it is cleared, as keepalived does; "
                    + "leave state out and let hactl run --role set it to keep the delay")
        }
        return (true, .zero)
    }

    /// One instance's plan, or every reason it cannot run.
    static func plan(
        for instance: VRRPInstanceConfig, in configuration: Configuration, settings: InstanceSettings
    ) throws(VRRPConfigurationErrors) -> InstancePlan {
        var errors: [VRRPConfigurationError] = []
        func fail(_ message: String, at location: SourceLocation? = nil) {
            errors.append(VRRPConfigurationError(instance: instance.name, location: location ?? instance.location, message: message))
        }
        let ipv4 = !instance.isIPv6
        let versionNumber = instance.version ?? configuration.global.vrrpVersion
        let version = VRRPVersion(rawValue: UInt8(clamping: versionNumber))
        if version == nil { fail("vrrp_version \(versionNumber) is not 2 or 3", at: instance.location(of: "version")) }
        if version == .v2 && !ipv4 { fail("VRRP version 2 is IPv4 only (RFC 3768); set vrrp_version 3 for IPv6") }
        if !(1...255).contains(instance.virtualRouterID) {
            fail("virtual_router_id \(instance.virtualRouterID) is not in 1-255", at: instance.location(of: "virtual_router_id"))
        }
        if !(1...255).contains(settings.priority) { fail("priority \(settings.priority) is not in 1-255", at: instance.location(of: "priority")) }
        let interval = instance.advertInterval
        if version == .v2 && (interval < .seconds(1) || interval.components.attoseconds != 0) {
            fail("advert_int must be whole seconds with VRRP version 2 (got \(interval))", at: instance.location(of: "advert_int"))
        }
        if version == .v3 && (interval < .milliseconds(10) || interval > .milliseconds(40950)) {
            fail("advert_int must be between 0.01 and 40.95 s with VRRP version 3 (got \(interval))", at: instance.location(of: "advert_int"))
        }

        var warnings: [String] = []
        var authentication = AdvertisementAuthentication.none
        switch instance.authentication {
        case .none: break
        case .pass(let secret):
            if version == .v2 {
                authentication = .password(secret)
            } else {
                warnings.append("authentication is ignored with VRRP version 3 (RFC 9568 has none), as keepalived does")
            }
        case .ah: fail("auth_type AH is not supported by hactl; use PASS or none", at: instance.location(of: "authentication"))
        }

        func address(_ text: String, _ what: String, _ location: SourceLocation? = nil) -> IPAddress? {
            guard let parsed = IPAddress(text) else {
                fail("\(what) \(text) is not an IP address", at: location)
                return nil
            }
            return parsed
        }
        var virtualAddresses: [InstancePlan.VirtualAddress] = []
        var advertised: [IPAddress] = []
        for (vip, carried) in instance.virtualIPAddresses.map({ ($0, true) })
            + instance.excludedVirtualIPAddresses.map({ ($0, false) })
        {
            guard let parsed = address(vip.address, "virtual_ipaddress", vip.location) else { continue }
            if parsed.isIPv4 != ipv4 && carried {
                fail("virtual_ipaddress \(vip.address) mixes address families", at: vip.location)
                continue
            }
            let prefixLength = UInt8(clamping: vip.prefixLength)
            var broadcast: IPAddress?
            switch vip.broadcast {
            case nil, "-": broadcast = nil
            case "+": broadcast = InterfaceAddress.broadcast(of: parsed, prefixLength: prefixLength)
            case let text?: broadcast = address(text, "virtual_ipaddress brd", vip.location)
            }
            var scope: UInt8?
            if let name = vip.scope {
                scope = InterfaceAddress.scope(named: name)
                if scope == nil {
                    fail("virtual_ipaddress scope \(name) is not global, site, link, host or a number", at: vip.location)
                }
            }
            virtualAddresses.append(
                .init(
                    address: parsed, prefixLength: prefixLength, device: vip.device, label: vip.label,
                    broadcast: broadcast, scope: scope))
            if carried { advertised.append(parsed) }
        }
        if instance.virtualIPAddresses.isEmpty { fail("virtual_ipaddress is required") }

        let sourceKeyword = instance.unicastSourceIP != nil ? "unicast_src_ip" : "mcast_src_ip"
        let source = (instance.unicastSourceIP ?? instance.mcastSourceIP).flatMap {
            address($0, sourceKeyword, instance.location(of: sourceKeyword))
        }
        let peers = instance.unicastPeers.compactMap { address($0, "unicast_peer", instance.location(of: "unicast_peer")) }
        let groupText = ipv4 ? configuration.global.vrrpMcastGroup4 ?? "224.0.0.18" : configuration.global.vrrpMcastGroup6 ?? "ff02::12"
        let group = address(groupText, ipv4 ? "vrrp_mcast_group4" : "vrrp_mcast_group6")

        var scripts: [InstancePlan.Script] = []
        for reference in instance.trackScripts {
            guard let script = configuration.vrrpScript(named: reference.name) else {
                fail("track_script \(reference.name): no vrrp_script of that name", at: reference.location)
                continue
            }
            if let user = script.user ?? script.command.user {
                fail(
                    "vrrp_script \(script.name): running scripts as user \(user) is not supported by hactl; "
                        + "scripts run as hactl's own user", at: script.location)
            }
            scripts.append(
                .init(
                    config: script, weight: reference.weight ?? script.weight,
                    reverse: reference.weight == nil ? (reference.reverse || script.weightReverse) : reference.reverse))
        }
        var files: [InstancePlan.TrackedFile] = []
        for reference in instance.trackFiles {
            guard let file = configuration.vrrpTrackFile(named: reference.name) else {
                fail("track_file \(reference.name): no vrrp_track_file of that name", at: reference.location)
                continue
            }
            files.append(
                .init(
                    config: file, weight: reference.weight ?? file.weight,
                    reverse: reference.weight == nil ? (reference.reverse || file.weightReverse) : reference.reverse))
        }
        let interfaces = instance.trackInterfaces.map {
            InstancePlan.TrackedInterface(name: $0.name, weight: $0.weight ?? 0, reverse: $0.reverse)
        }
        let notifyCommands = [
            ("notify", instance.notify), ("notify_master", instance.notifyMaster), ("notify_backup", instance.notifyBackup),
            ("notify_fault", instance.notifyFault), ("notify_stop", instance.notifyStop),
        ]
        for (keyword, command) in notifyCommands {
            if let user = command?.user {
                fail(
                    "notify scripts as user \(user) are not supported by hactl; they run as hactl's own user",
                    at: instance.location(of: keyword))
            }
        }
        let witness = instance.witness.flatMap { witnessPlan($0, ipv4: ipv4, advertInterval: interval, unicastPeers: peers, configuration: configuration, fail: fail) }
        // Without errors, the version and the group were read.
        guard errors.isEmpty, let version, let group else { throw VRRPConfigurationErrors(errors) }

        let group_ = configuration.vrrpSyncGroups.first { $0.members.contains(instance.name) }
        var notify = [
            InstancePlan.Notify(
                notify: instance.notify, master: instance.notifyMaster, backup: instance.notifyBackup,
                fault: instance.notifyFault, stop: instance.notifyStop, kind: "INSTANCE", name: instance.name)
        ]
        if let group_ {
            notify.append(
                .init(
                    notify: group_.notify, master: group_.notifyMaster, backup: group_.notifyBackup,
                    fault: group_.notifyFault, stop: group_.notifyStop, kind: "GROUP", name: group_.name))
        }

        let (preempt, preemptDelay) = preemption(of: instance, warnings: &warnings)
        if instance.v3ChecksumAsV2 && (version != .v3 || !ipv4) {
            warnings.append("vrrpv3_checksum_as_v2 only changes VRRPv3 over IPv4; it has no effect here")
        }
        var plan = InstancePlan(
            name: instance.name, location: instance.location, interface: instance.interface, ipv4: ipv4,
            version: version,
            virtualRouterID: UInt8(instance.virtualRouterID), priority: UInt8(settings.priority),
            startAsMaster: settings.state == .master, advertisementInterval: interval,
            preempt: preempt, preemptDelay: preemptDelay, authentication: authentication,
            checksumStyle: instance.v3ChecksumAsV2 ? .vrrpMessageOnly : .pseudoHeader,
            virtualAddresses: virtualAddresses, advertisedAddresses: advertised, sourceAddress: source,
            unicastPeers: peers, multicastGroup: group, trackProxy: instance.trackProxy,
            trackPrimaryInterface: !instance.dontTrackPrimary, scripts: scripts, interfaces: interfaces, files: files,
            notify: notify, garpMasterDelay: instance.garpMasterDelay, garpMasterRepeat: instance.garpMasterRepeat,
            garpMasterRefresh: instance.garpMasterRefresh, garpMasterRefreshRepeat: instance.garpMasterRefreshRepeat,
            garpLowerPrioDelay: instance.garpLowerPrioDelay ?? instance.garpMasterDelay,
            garpLowerPrioRepeat: instance.garpLowerPrioRepeat ?? instance.garpMasterRepeat,
            higherPrioSendAdvert: instance.higherPrioSendAdvert,
            syncGroup: group_?.name)
        plan.witness = witness
        plan.warnings = warnings
        return plan
    }
}

extension VRRPEngine {
    /// `vrrp_witness`: the witness's address, the round interval (default `advert_int`) and the
    /// peer addresses probed beside it: `unicast_peer` and the `peers` section (this node's own
    /// address is skipped at run time). Without either, a MASTER could not tell a lost witness
    /// from isolation (it hears no adverts from its backup), so that is an error.
    static func witnessPlan(
        _ witness: VRRPWitnessConfig, ipv4: Bool, advertInterval: Duration, unicastPeers: [IPAddress], configuration: Configuration,
        fail: (String, SourceLocation?) -> Void
    ) -> InstancePlan.Witness? {
        guard ipv4 else {
            fail("vrrp_witness on an IPv6 instance is not supported by hactl yet (the probe is ICMPv4 echo)", witness.location)
            return nil
        }
        guard let address = IPAddress(witness.address), address.isIPv4 else {
            fail("vrrp_witness \(witness.address) is not an IPv4 address", witness.location)
            return nil
        }
        let fromPeers = (configuration.peers?.peers ?? []).compactMap { IPAddress($0.address) }.filter(\.isIPv4)
        var peers: [IPAddress] = []
        for candidate in unicastPeers.filter(\.isIPv4) + fromPeers where !peers.contains(candidate) { peers.append(candidate) }
        guard !peers.isEmpty else {
            fail(
                "vrrp_witness needs the peer's address to probe beside the witness: add unicast_peer lines or a peers section "
                    + "(a MASTER hears no adverts from its backup, so without it a lost witness would look like isolation)",
                witness.location)
            return nil
        }
        return InstancePlan.Witness(
            address: address, interval: witness.interval ?? advertInterval, fall: witness.fall,
            rise: witness.rise, peers: peers)
    }

}
