/// What `hactl run` was asked to do: which node this is and where the configuration lives.
public struct ApplianceOptions: Sendable {
    /// `--role master|backup`.
    public var role: Role
    /// `--priority N`: overrides every instance's priority (CONFIG.md precedence).
    public var commandLinePriority: Int?
    /// `-f FILE...`: hactl.conf, or keepalived.conf and haproxy.cfg, read again on SIGHUP.
    public var files: [String]
    /// The liveness probe's tuning (interval / fall / rise).
    public var liveness: LivenessState.Tuning
    /// The control socket's path when given on the command line or in `HACTL_SOCKET`; beats
    /// `stats socket` in the file (two nodes on one test machine each need their own).
    public var controlSocket: String?

    public init(role: Role, commandLinePriority: Int? = nil, files: [String], liveness: LivenessState.Tuning = .init(),
                controlSocket: String? = nil) {
        self.controlSocket = controlSocket
        self.role = role
        self.commandLinePriority = commandLinePriority
        self.files = files
        self.liveness = liveness
    }

    /// The precedence rules for these options.
    public var precedence: RolePrecedence {
        RolePrecedence(role: role, commandLinePriority: commandLinePriority)
    }
}
