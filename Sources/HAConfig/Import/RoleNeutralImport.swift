public import HACore

/// `hactl import`: every node's keepalived.conf (and the shared haproxy.cfg) as the one
/// hactl.conf that serves every node, `hactl run --role master|backup` deciding what the nodes'
/// files said differently (CONFIG.md "Roles instead of two files", "Importing").
///
/// keepalived needs a file per node; hactl does not. What a node's file says about that node alone
/// is left out of the printed file and recorded in a comment: `state` and `priority` (the role
/// decides them: a file's `state`/`priority` would beat the role on every node, so the backup
/// would start as MASTER at the master's priority), `unicast_src_ip` and `mcast_src_ip` (each node
/// sends from its own address on the interface), and `router_id` / `notification_email_from` when
/// the files disagree on them. `unicast_peer` lists every node's address; each node skips its own.
/// Every other difference between the files is an error at its line in both files.
///
/// Any number of files is accepted, one per node: each is compared with the first.
public struct RoleNeutralImport: Sendable {
    /// Something `hactl import` did that the operator should know, printed on stderr.
    public struct Note: Sendable, Hashable, CustomStringConvertible {
        /// The line it is about, if it is about one.
        public var location: SourceLocation?
        public var message: String

        public var description: String {
            location.map { "\($0): note: \(message)" } ?? "note: \(message)"
        }
    }

    /// The role-neutral configuration.
    public private(set) var configuration: Configuration
    /// The values left out, per section, as comments for the printed file.
    public private(set) var comments: [ConfigurationPrinter.CommentedSection: [String]] = [:]
    /// For stderr: with one node's file, the lines left out; a node that was MASTER of some instances only.
    public private(set) var notes: [Note] = []
    /// Every file read, in the order given, for the header of the printed file.
    public let files: [String]

    /// Reads each node's keepalived.conf together with the haproxy.cfg (each must be valid on its
    /// own), then compares and merges them.
    ///
    /// - Parameters:
    ///   - keepalived: one keepalived.conf per node; none for an haproxy.cfg alone.
    ///   - environment: the variables `"${NAME}"` expands to; `nil` means the process's.
    public static func load(keepalived: [String], haproxy: String?, environment: [String: String]? = nil) throws(ConfigErrors) -> RoleNeutralImport {
        let shared = haproxy.map { [$0] } ?? []
        var nodes: [Configuration] = []
        var errors: [ConfigError] = []
        for file in keepalived.isEmpty ? [nil] : keepalived.map(Optional.some) {
            let files = (file.map { [$0] } ?? []) + shared
            let dialects: [ConfigurationLoader.Dialect?] = (file == nil ? [] : [.keepalived]) + shared.map { _ in .haproxy }
            do {
                nodes.append(try ConfigurationLoader.load(files: files, dialects: dialects, environment: environment))
            } catch {
                // The haproxy.cfg is read once per node: its errors are reported once.
                errors += error.errors.filter { !errors.contains($0) }
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return try RoleNeutralImport(nodes: Array(zip(keepalived, nodes)), shared: nodes[0], files: keepalived + shared)
    }

    /// - Parameters:
    ///   - nodes: each node's file name and what it (with the shared files) reads as.
    ///   - shared: the configuration when no node's file is given.
    init(nodes: [(file: String, configuration: Configuration)], shared: Configuration, files: [String]) throws(ConfigErrors) {
        self.files = files
        guard let (referenceFile, reference) = nodes.first else {
            configuration = shared
            return
        }
        var comparison = NodeFileComparison()
        for (file, node) in nodes.dropFirst() {
            comparison.compare(node, file: file, with: reference, file: referenceFile)
        }
        let peerErrors = Self.unicastPeerErrors(nodes)
        guard comparison.errors.isEmpty, peerErrors.isEmpty else { throw ConfigErrors(comparison.errors + peerErrors) }

        configuration = reference
        for index in configuration.vrrpInstances.indices {
            neutralizeInstance(at: index, nodes: nodes)
        }
        neutralizeGlobal(nodes: nodes)
        if nodes.count == 1 {
            notes.append(Note(message: "only one node's keepalived.conf was given, so nothing checked that the other node's agrees with it: give each node's file with its own --keepalived"))
        }
        notes += Self.splitRoleNotes(nodes)
    }

    /// The hactl.conf text: a header naming the files, then the configuration with its comments.
    public var text: String {
        "# hactl.conf imported by 'hactl import' from \(files.joined(separator: " and "))\n\n"
            + ConfigurationPrinter.print(configuration, comments: comments)
    }

    // MARK: Merging

    /// Leaves `state`, `priority`, `unicast_src_ip` and `mcast_src_ip` out of one instance, records
    /// each node's values in a comment, and lists every node's address in `unicast_peer`.
    private mutating func neutralizeInstance(at index: Int, nodes: [(file: String, configuration: Configuration)]) {
        let name = configuration.vrrpInstances[index].name
        var recorded: [String] = []
        var peers: [String] = []
        for (file, node) in nodes {
            guard let instance = node.vrrpInstance(named: name) else { continue }
            let values: [(String, String?)] = [
                ("state", instance.initialState?.rawValue), ("priority", instance.priority.map(String.init)),
                ("unicast_src_ip", instance.unicastSourceIP), ("mcast_src_ip", instance.mcastSourceIP),
            ]
            let written = values.compactMap { keyword, value in value.map { (keyword, $0) } }
            if !written.isEmpty { recorded.append(([file] + written.map { "\($0) \($1)" }).joined(separator: " ")) }
            if !instance.unicastPeers.isEmpty {
                for address in [instance.unicastSourceIP].compactMap({ $0 }) + instance.unicastPeers where !peers.contains(address) {
                    peers.append(address)
                }
            }
            if nodes.count == 1 {
                for (keyword, value) in written {
                    notes.append(Note(location: instance.location(of: keyword), message: Self.leftOut(keyword, value, instance: name)))
                }
            }
        }
        configuration.vrrpInstances[index].initialState = nil
        configuration.vrrpInstances[index].priority = nil
        configuration.vrrpInstances[index].unicastSourceIP = nil
        configuration.vrrpInstances[index].mcastSourceIP = nil
        configuration.vrrpInstances[index].unicastPeers = peers
        guard !recorded.isEmpty else { return }
        var lines = ["imported: " + recorded.joined(separator: "; ")]
        lines.append("'hactl run --role master|backup' sets state and priority (master 250, backup 240)"
                     + (peers.isEmpty ? "" : "; unicast_peer lists every node, and each node skips its own address"))
        comments[.vrrpInstance(name)] = lines
    }

    private static func leftOut(_ keyword: String, _ value: String, instance: String) -> String {
        let what = "'\(keyword) \(value)' of vrrp_instance \(instance) is left out"
        switch keyword {
        case "unicast_src_ip": return "\(what) and added to unicast_peer, which now lists every node: each node skips its own address there"
        case "mcast_src_ip": return "\(what): each node sends from its own address on the interface"
        default: return "\(what): 'hactl run --role master|backup' decides it now (master 250, backup 240)"
        }
    }

    /// `router_id` and `notification_email_from` name a node: kept when every file agrees, else
    /// left out and recorded.
    private mutating func neutralizeGlobal(nodes: [(file: String, configuration: Configuration)]) {
        let settings: [(String, KeyPath<GlobalSettings, String?>, WritableKeyPath<GlobalSettings, String?>)] = [
            ("router_id", \.routerID, \.routerID), ("notification_email_from", \.notificationEmailFrom, \.notificationEmailFrom),
        ]
        var differing: [(String, KeyPath<GlobalSettings, String?>)] = []
        for (keyword, read, write) in settings where Set(nodes.map { $0.configuration.global[keyPath: read] }).count > 1 {
            configuration.global[keyPath: write] = nil
            differing.append((keyword, read))
        }
        guard !differing.isEmpty else { return }
        let recorded = nodes.map { file, node in
            ([file] + differing.compactMap { keyword, read in node.global[keyPath: read].map { "\(keyword) \($0)" } }).joined(separator: " ")
        }
        comments[.global] = ["imported: " + recorded.joined(separator: "; ")]
    }

    // MARK: Checks

    /// `unicast_peer`: every node must name every other node. Each node's addresses are its
    /// `unicast_src_ip` and its peers; a node without `unicast_src_ip` may leave out one address
    /// (its own, which keepalived took from the interface).
    static func unicastPeerErrors(_ nodes: [(file: String, configuration: Configuration)]) -> [ConfigError] {
        guard let (_, reference) = nodes.first else { return [] }
        var errors: [ConfigError] = []
        for name in reference.vrrpInstances.map(\.name) {
            let instances = nodes.compactMap { file, node in node.vrrpInstance(named: name).map { (file, $0) } }
            let unicast = instances.filter { !$0.1.unicastPeers.isEmpty }
            guard let (firstFile, first) = unicast.first else { continue }
            for (_, instance) in instances where instance.unicastPeers.isEmpty {
                errors.append(ConfigError(
                    location: instance.location, keyword: "unicast_peer",
                    message: "vrrp_instance \(name) has no unicast_peer here (multicast), but \(firstFile) has one at \(first.location(of: "unicast_peer")): every node must use the same"))
            }
            var everyAddress: [String] = []
            for (_, instance) in unicast {
                for address in [instance.unicastSourceIP].compactMap({ $0 }) + instance.unicastPeers where !everyAddress.contains(address) {
                    everyAddress.append(address)
                }
            }
            for (file, instance) in unicast {
                let known = Set(instance.unicastPeers + [instance.unicastSourceIP].compactMap { $0 })
                let missing = everyAddress.filter { !known.contains($0) }
                if instance.unicastSourceIP == nil, missing.count <= 1 { continue }
                guard !missing.isEmpty else { continue }
                let owners = unicast.filter { $0.0 != file && missing.contains(where: Set($0.1.unicastPeers + [$0.1.unicastSourceIP].compactMap { $0 }).contains) }
                errors.append(ConfigError(
                    location: instance.location(of: "unicast_peer"), keyword: "unicast_peer",
                    message: "vrrp_instance \(name): unicast_peer here does not list \(missing.joined(separator: ", ")), which "
                        + owners.map { "\($0.0) has at \($0.1.location(of: "unicast_peer"))" }.joined(separator: " and ")
                        + ": every node must list every other node's address"))
            }
        }
        return errors
    }

    /// A node that starts some instances as MASTER and others as BACKUP splits the instances
    /// between the nodes; one role per node cannot.
    static func splitRoleNotes(_ nodes: [(file: String, configuration: Configuration)]) -> [Note] {
        nodes.compactMap { file, node in
            let masters = node.vrrpInstances.filter { $0.initialState == .master }.map(\.name)
            let backups = node.vrrpInstances.filter { $0.initialState == .backup }.map(\.name)
            guard !masters.isEmpty, !backups.isEmpty else { return nil }
            return Note(message: "\(file) starts \(masters.joined(separator: ", ")) as MASTER but \(backups.joined(separator: ", ")) as BACKUP: 'hactl run --role' gives a node the same role in every instance, so one node will be MASTER of them all")
        }
    }
}
