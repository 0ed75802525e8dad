public import HAConfig

/// What changed between the running configuration and a newly loaded one (ARCHITECTURE.md
/// rule 5, "reload is a diff"): named sections added, removed or changed, compared by value.
public struct ConfigurationDiff: Sendable, Hashable {
    /// The kinds of named section a reload can touch.
    public enum Section: String, Sendable, Hashable, Comparable {
        /// HAProxy's `global` keys.
        case global
        /// keepalived's `global_defs` keys (in hactl.conf's `global`).
        case globalDefs = "global_defs"
        case frontend
        case backend
        case vrrpInstance = "vrrp_instance"
        case vrrpSyncGroup = "vrrp_sync_group"
        case vrrpScript = "vrrp_script"
        case vrrpTrackFile = "vrrp_track_file"
        /// The `peers` section with `global`'s `localpeer`: the peer link's endpoints and key.
        case peers

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public enum Kind: String, Sendable, Hashable {
        case added
        case removed
        case changed
    }

    /// One section that differs.
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public var kind: Kind
        public var section: Section
        public var name: String

        public init(_ kind: Kind, _ section: Section, _ name: String) {
            self.kind = kind
            self.section = section
            self.name = name
        }

        public var description: String {
            switch section {
            case .global: "\(kind.rawValue) global (proxy settings)"
            case .globalDefs: "\(kind.rawValue) global (VRRP settings)"
            case .peers: "\(kind.rawValue) peers \(name) (peer link)"
            default: "\(kind.rawValue) \(section.rawValue) \(name)"
            }
        }
    }

    public var changes: [Change]

    public var isEmpty: Bool { changes.isEmpty }

    /// Compares without source locations: a section that only moved to other lines is unchanged.
    public init(from old: Configuration, to new: Configuration) {
        let old = old.withoutLocations()
        let new = new.withoutLocations()
        var changes: [Change] = []
        if old.global.proxySettingsDiffer(from: new.global) { changes.append(Change(.changed, .global, "global")) }
        if old.global.vrrpSettingsDiffer(from: new.global) { changes.append(Change(.changed, .globalDefs, "global")) }
        changes += Self.compare(old.frontends, new.frontends, section: .frontend, name: \.name)
        changes += Self.compare(old.backends, new.backends, section: .backend, name: \.name)
        changes += Self.compare(old.vrrpInstances, new.vrrpInstances, section: .vrrpInstance, name: \.name)
        changes += Self.compare(old.vrrpSyncGroups, new.vrrpSyncGroups, section: .vrrpSyncGroup, name: \.name)
        changes += Self.compare(old.vrrpScripts, new.vrrpScripts, section: .vrrpScript, name: \.name)
        changes += Self.compare(old.vrrpTrackFiles, new.vrrpTrackFiles, section: .vrrpTrackFile, name: \.name)
        if let change = Self.peersChange(from: old, to: new) { changes.append(change) }
        changes += Self.fileChanges(from: old, to: new, besides: changes)
        self.changes = changes
    }

    /// The peer link's settings: the `peers` section (peers, `peer-key`) and `localpeer`, which
    /// picks this node among them, count as one change. The key file's content is read once,
    /// at start, like the rest.
    static func peersChange(from old: Configuration, to new: Configuration) -> Change? {
        guard old.peers != new.peers || old.global.localPeer != new.global.localPeer else { return nil }
        switch (old.peers, new.peers) {
        case (nil, let added?): return Change(.added, .peers, added.name)
        case (let removed?, nil): return Change(.removed, .peers, removed.name)
        case (_, let section?): return Change(.changed, .peers, section.name)
        case (nil, nil): return Change(.changed, .peers, "")  // localpeer alone; the validator refuses it
        }
    }

    /// Sections present on both sides, otherwise equal, that name a file whose content changed
    /// (a renewed certificate, a new CA bundle, rotated ticket keys).
    static func fileChanges(from old: Configuration, to new: Configuration, besides known: [Change]) -> [Change] {
        let changedPaths = Set(old.fileDigests.keys).union(new.fileDigests.keys).filter { old.fileDigests[$0] != new.fileDigests[$0] }
        guard !changedPaths.isEmpty else { return [] }
        func names(_ paths: [String]) -> Bool {
            paths.contains { path in
                changedPaths.contains { $0 == path || $0.hasPrefix(path.hasSuffix("/") ? path : path + "/") }
            }
        }
        var changes: [Change] = []
        let oldFrontends = Set(old.frontends.map(\.name))
        for frontend in new.frontends where oldFrontends.contains(frontend.name) && !known.contains(where: { $0.section == .frontend && $0.name == frontend.name }) {
            if names(frontend.binds.flatMap { [$0.certificatePath, $0.ticketKeysFile, $0.certificateListPath, $0.caFile, $0.crlFile].compactMap { $0 } + $0.certificateList.map(\.path) }) {
                changes.append(Change(.changed, .frontend, frontend.name))
            }
        }
        let oldBackends = Set(old.backends.map(\.name))
        for backend in new.backends where oldBackends.contains(backend.name) && !known.contains(where: { $0.section == .backend && $0.name == backend.name }) {
            if names(backend.servers.flatMap { [$0.caFile, $0.crt].compactMap { $0 } }) {
                changes.append(Change(.changed, .backend, backend.name))
            }
        }
        return changes
    }

    /// Sections are matched by name; a section counts as changed when any of its settings differ.
    static func compare<T: Equatable>(_ old: [T], _ new: [T], section: Section, name: KeyPath<T, String>) -> [Change] {
        var changes: [Change] = []
        let oldByName = Dictionary(old.map { ($0[keyPath: name], $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.map { $0[keyPath: name] })
        for element in new {
            let key = element[keyPath: name]
            if let previous = oldByName[key] {
                if previous != element { changes.append(Change(.changed, section, key)) }
            } else {
                changes.append(Change(.added, section, key))
            }
        }
        for element in old where !newNames.contains(element[keyPath: name]) {
            changes.append(Change(.removed, section, element[keyPath: name]))
        }
        return changes
    }
}
