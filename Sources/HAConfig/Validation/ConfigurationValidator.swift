import HACore

/// Checks a whole `Configuration` after every file was read: references between sections,
/// duplicate names, and the VRRP rules that depend on more than one line (RFC 9568 §5.2,
/// keepalived.conf(5)).
struct ConfigurationValidator {
    let diagnostics: Diagnostics

    func validate(_ configuration: Configuration) {
        validateProxies(configuration)
        validateVRRP(configuration)
        validatePeers(configuration)
    }

    // MARK: peers

    /// The pair: exactly two peers (the link is point to point), an authenticated channel (`peer-key`), and a `localpeer`
    /// that names one of them.
    private func validatePeers(_ configuration: Configuration) {
        guard let peers = configuration.peers else {
            if let name = configuration.global.localPeer {
                diagnostics.error(at: configuration.global.location, keyword: "localpeer",
                                  "'localpeer \(name)' but there is no 'peers' section naming the nodes of the pair")
            }
            return
        }
        if peers.peers.count < 2 {
            diagnostics.error(at: peers.location, keyword: "peers",
                              "'peers \(peers.name)' needs a 'peer NAME ADDRESS:PORT' line for each node of the pair, this one included")
        } else if peers.peers.count > 2 {
            diagnostics.error(at: peers.location, keyword: "peers",
                              "'peers \(peers.name)' declares \(peers.peers.count) peers; hactl runs pairs: exactly two 'peer' lines, this node and its peer")
        }
        if peers.keyFile == nil {
            diagnostics.error(at: peers.location, keyword: "peer-key",
                              "'peers \(peers.name)' has no 'peer-key FILE': the peer channel only runs authenticated, with a key file shared by the nodes")
        }
        if let name = configuration.global.localPeer, peers.peer(named: name) == nil {
            diagnostics.error(at: configuration.global.location, keyword: "localpeer",
                              "'localpeer \(name)' is not a peer of 'peers \(peers.name)'",
                              suggestion: KeywordSuggestion.nearest(to: name, in: peers.peers.map(\.name)))
        }
    }

    private func duplicate(_ what: String, name: String, at location: SourceLocation, first: SourceLocation) {
        diagnostics.error(at: location, keyword: what, "duplicate \(what) '\(name)' (first defined at \(first))")
    }

    /// Reports the second and later elements that share a name.
    private func checkUnique<T>(_ items: [T], what: String, name: (T) -> String, location: (T) -> SourceLocation) {
        var seen: [String: SourceLocation] = [:]
        for item in items {
            if let first = seen[name(item)] {
                duplicate(what, name: name(item), at: location(item), first: first)
            } else {
                seen[name(item)] = location(item)
            }
        }
    }

    // MARK: proxies

    private func validateProxies(_ configuration: Configuration) {
        checkUnique(configuration.frontends, what: "frontend", name: \.name, location: \.location)
        checkUnique(configuration.backends, what: "backend", name: \.name, location: \.location)
        let backendNames = configuration.backends.map(\.name)
        var bound: [String: (frontend: String, location: SourceLocation)] = [:]

        for frontend in configuration.frontends {
            if frontend.binds.isEmpty {
                diagnostics.error(at: frontend.location, keyword: frontend.isListen ? "listen" : "frontend",
                                  "\(frontend.isListen ? "listen" : "frontend") '\(frontend.name)' has no 'bind' line: expected an address to accept clients on, such as 'bind :80'")
            }
            for bind in frontend.binds {
                let key = "\(bind.host ?? "*"):\(bind.port)"
                if let other = bound[key] {
                    diagnostics.error(at: bind.location, keyword: "bind", "\(key) is already bound by '\(other.frontend)' at \(other.location)")
                } else {
                    bound[key] = (frontend.name, bind.location)
                }
            }
            func checkBackend(_ name: String, at location: SourceLocation, keyword: String) {
                guard let backend = configuration.backend(named: name) else {
                    diagnostics.error(at: location, keyword: keyword, "no backend named '\(name)'",
                                      suggestion: KeywordSuggestion.nearest(to: name, in: backendNames))
                    return
                }
                if frontend.mode == .http, backend.mode == .tcp {
                    diagnostics.error(at: location, keyword: keyword,
                                      "\(frontend.isListen ? "listen" : "frontend") '\(frontend.name)' is in mode http but backend '\(name)' is in mode tcp (\(backend.location))")
                }
            }
            if let name = frontend.defaultBackend, !(frontend.isListen && name == frontend.name) {
                checkBackend(name, at: frontend.defaultBackendLocation ?? frontend.location, keyword: "default_backend")
            }
            for rule in frontend.useBackends {
                checkBackend(rule.backend, at: rule.location, keyword: "use_backend")
            }
            if frontend.mode == .tcp, let rule = frontend.httpRequestRules.first {
                diagnostics.error(at: rule.location, keyword: "http-request", "needs mode http; '\(frontend.name)' is in mode tcp")
            }
            if frontend.mode == .tcp, let rule = (frontend.httpResponseRules + frontend.httpAfterResponseRules).first {
                diagnostics.error(at: rule.location, keyword: "http-response", "needs mode http; '\(frontend.name)' is in mode tcp")
            }
        }
        for backend in configuration.backends {
            checkUnique(backend.servers, what: "server", name: \.name, location: \.location)
            if backend.mode == .tcp, let rule = backend.httpRequestRules.first {
                diagnostics.error(at: rule.location, keyword: "http-request", "needs mode http; '\(backend.name)' is in mode tcp")
            }
            if backend.mode == .tcp, let rule = (backend.httpResponseRules + backend.httpAfterResponseRules).first {
                diagnostics.error(at: rule.location, keyword: "http-response", "needs mode http; '\(backend.name)' is in mode tcp")
            }
            if let cookie = backend.cookie, backend.mode == .tcp {
                diagnostics.error(at: cookie.location, keyword: "cookie", "cookie persistence needs mode http; '\(backend.name)' is in mode tcp (use 'balance source')")
            }
        }
        validateStickTables(configuration)
    }

    /// `stick` rules name a table that exists; `peers` on a table names the `peers` section.
    private func validateStickTables(_ configuration: Configuration) {
        let tables = Set(configuration.backends.compactMap { $0.stickTable?.name })
        for backend in configuration.backends {
            if let table = backend.stickTable, let peers = table.peers, configuration.peers?.name != peers {
                diagnostics.error(at: table.location, keyword: "stick-table", configuration.peers.map {
                    "peers '\(peers)' is not the peers section of this file ('\($0.name)')"
                } ?? "peers '\(peers)' names no peers section (add 'peers \(peers)' listing the nodes of the pair)")
            }
            for rule in backend.stickRules {
                let keyword = "stick \(rule.kind.rawValue)"
                if backend.mode == .tcp, ![.source, .sourcePort, .destination, .destinationPort].contains(rule.pattern.fetch) {
                    diagnostics.error(at: rule.pattern.location, keyword: keyword,
                                      "'\(backend.name)' is in mode tcp: a stick pattern there reads the connection (src, src_port, dst, dst_port), not '\(rule.pattern.text)'")
                    continue
                }
                if let name = rule.table {
                    if !tables.contains(name) {
                        diagnostics.error(at: rule.location, keyword: keyword, "table '\(name)' names no backend or listen section with a stick-table",
                                          suggestion: KeywordSuggestion.nearest(to: name, in: tables))
                    }
                } else if backend.stickTable == nil {
                    diagnostics.error(at: rule.location, keyword: keyword,
                                      "'\(backend.name)' has no stick-table: add 'stick-table type ip size 100k' or name one with 'table NAME'")
                }
            }
        }
    }

    // MARK: VRRP

    private func validateVRRP(_ configuration: Configuration) {
        checkUnique(configuration.vrrpInstances, what: "vrrp_instance", name: \.name, location: \.location)
        checkUnique(configuration.vrrpScripts, what: "vrrp_script", name: \.name, location: \.location)
        checkUnique(configuration.vrrpSyncGroups, what: "vrrp_sync_group", name: \.name, location: \.location)
        checkUnique(configuration.vrrpTrackFiles, what: "vrrp_track_file", name: \.name, location: \.location)

        var routers: [String: (name: String, location: SourceLocation)] = [:]
        let scriptNames = configuration.vrrpScripts.map(\.name)
        let fileNames = configuration.vrrpTrackFiles.map(\.name)
        for instance in configuration.vrrpInstances {
            guard instance.virtualRouterID != 0, !instance.interface.isEmpty else { continue }
            let families = Set(instance.virtualIPAddresses.compactMap { IPAddressFamily.of($0.address) })
            if instance.virtualIPAddresses.isEmpty {
                diagnostics.error(at: instance.location, keyword: "vrrp_instance",
                                  "vrrp_instance '\(instance.name)' has no 'virtual_ipaddress': expected the address(es) it moves between nodes")
            }
            if families.count > 1 {
                diagnostics.error(at: instance.virtualIPAddresses.first { $0.isIPv6 }!.location, keyword: "virtual_ipaddress",
                                  "vrrp_instance '\(instance.name)' mixes IPv4 and IPv6 addresses: a virtual router carries one family (RFC 9568 §5.2.9); use two instances")
            }
            let isIPv6 = families.contains(.ipv6) && families.count == 1
            let family = isIPv6 ? "IPv6" : "IPv4"
            let key = "\(instance.interface)/\(family)/\(instance.virtualRouterID)"
            if let other = routers[key] {
                diagnostics.error(at: instance.location(of: "virtual_router_id"), keyword: "virtual_router_id",
                                  "virtual_router_id \(instance.virtualRouterID) on \(instance.interface) (\(family)) is already used by vrrp_instance '\(other.name)' at \(other.location)")
            } else {
                routers[key] = (instance.name, instance.location(of: "virtual_router_id"))
            }

            let version = instance.version ?? (isIPv6 ? 3 : configuration.global.vrrpVersion)
            if isIPv6, version == 2 {
                diagnostics.error(at: instance.location(of: "version"), keyword: "version", "vrrp_instance '\(instance.name)' has IPv6 addresses, which need VRRP version 3 (RFC 9568)")
            }
            let micros = instance.advertInterval.microseconds
            if version == 2 {
                if micros % 1_000_000 != 0 || !(1...255).contains(micros / 1_000_000) {
                    diagnostics.error(at: instance.location(of: "advert_int"), keyword: "advert_int",
                                      "VRRPv2 advertises in whole seconds from 1 to 255 (RFC 3768 §5.3.7), got \(TimeValue.formatSeconds(instance.advertInterval)) s; use 'vrrp_version 3' for shorter intervals")
                }
            } else if micros % 10_000 != 0 || !(10_000...40_950_000).contains(micros) {
                diagnostics.error(at: instance.location(of: "advert_int"), keyword: "advert_int",
                                  "VRRPv3 advertises in centiseconds from 0.01 to 40.95 s (RFC 9568 §5.2.7), got \(TimeValue.formatSeconds(instance.advertInterval)) s")
            }
            if instance.authentication != nil, version == 3 {
                diagnostics.error(at: instance.location(of: "authentication"), keyword: "authentication",
                                  "VRRPv3 has no authentication (RFC 9568 §9); remove it or use version 2")
            }
            let peerFamily: IPAddressFamily = isIPv6 ? .ipv6 : .ipv4
            for peer in instance.unicastPeers where IPAddressFamily.of(peer) != peerFamily {
                diagnostics.error(at: instance.location(of: "unicast_peer"), keyword: "unicast_peer", "unicast_peer \(peer) is not \(family) like the instance's addresses")
            }
            for reference in instance.trackScripts where !scriptNames.contains(reference.name) {
                diagnostics.error(at: reference.location, keyword: "track_script", "no vrrp_script named '\(reference.name)'",
                                  suggestion: KeywordSuggestion.nearest(to: reference.name, in: scriptNames))
            }
            for reference in instance.trackFiles where !fileNames.contains(reference.name) {
                diagnostics.error(at: reference.location, keyword: "track_file", "no vrrp_track_file named '\(reference.name)'",
                                  suggestion: KeywordSuggestion.nearest(to: reference.name, in: fileNames))
            }
        }

        let instanceNames = configuration.vrrpInstances.map(\.name)
        var membership: [String: String] = [:]
        for group in configuration.vrrpSyncGroups {
            for member in group.members {
                if !instanceNames.contains(member) {
                    diagnostics.error(at: group.location, keyword: "group", "no vrrp_instance named '\(member)' for sync group '\(group.name)'",
                                      suggestion: KeywordSuggestion.nearest(to: member, in: instanceNames))
                } else if let other = membership[member] {
                    diagnostics.error(at: group.location, keyword: "group", "vrrp_instance '\(member)' is already in sync group '\(other)'")
                } else {
                    membership[member] = group.name
                }
            }
        }
    }
}
