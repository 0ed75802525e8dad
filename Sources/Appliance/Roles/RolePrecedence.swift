public import HAConfig

/// Where an instance's effective priority and initial state come from, in the order CONFIG.md
/// gives: the command line (`--priority N`) > the file (`priority`, `state`, kept for keepalived
/// users) > the role's default (`--role master` 250 MASTER / `--role backup` 240 BACKUP).
///
/// A pure function of its inputs; the caller logs each `Override` once.
public struct RolePrecedence: Sendable, Hashable {
    public var role: Role
    /// `--priority N`, when given.
    public var commandLinePriority: Int?

    public init(role: Role, commandLinePriority: Int? = nil) {
        self.role = role
        self.commandLinePriority = commandLinePriority
    }

    /// A value that came from somewhere other than the role, for the log line that says so.
    public struct Override: Sendable, Hashable, CustomStringConvertible {
        public enum Setting: String, Sendable, Hashable {
            case priority
            case state
        }

        public enum Source: Sendable, Hashable, CustomStringConvertible {
            case commandLine
            /// The file's line, as `file:line:column`.
            case file(String)

            public var description: String {
                switch self {
                case .commandLine: "command line"
                case .file(let location): location
                }
            }
        }

        public var instance: String
        public var setting: Setting
        public var value: String
        public var source: Source
        /// What it replaces: `role backup's 240` or `priority 100 at hactl.conf:12:5`.
        public var replaces: String

        public var description: String {
            "\(instance): \(setting.rawValue) \(value) from \(source) overrides \(replaces)"
        }
    }

    /// What one instance runs with.
    public struct Resolution: Sendable, Hashable {
        public var priority: Int
        public var state: VRRPInitialState
        /// Settings that differ from the role's defaults because a higher-precedence source set them.
        public var overrides: [Override]
    }

    /// Resolves one instance. `filePriority`/`fileState` are the file's lines with their locations.
    public func resolve(
        instance: String,
        filePriority: (value: Int, location: String)?,
        fileState: (value: VRRPInitialState, location: String)?
    ) -> Resolution {
        var overrides: [Override] = []
        let priority: Int
        if let commandLinePriority {
            priority = commandLinePriority
            if let filePriority, filePriority.value != commandLinePriority {
                overrides.append(Override(
                    instance: instance, setting: .priority, value: "\(commandLinePriority)", source: .commandLine,
                    replaces: "priority \(filePriority.value) at \(filePriority.location)"
                ))
            } else if filePriority == nil, commandLinePriority != role.defaultPriority {
                overrides.append(Override(
                    instance: instance, setting: .priority, value: "\(commandLinePriority)", source: .commandLine,
                    replaces: roleDefault(role.defaultPriority)
                ))
            }
        } else if let filePriority {
            priority = filePriority.value
            if filePriority.value != role.defaultPriority {
                overrides.append(Override(
                    instance: instance, setting: .priority, value: "\(filePriority.value)",
                    source: .file(filePriority.location), replaces: roleDefault(role.defaultPriority)
                ))
            }
        } else {
            priority = role.defaultPriority
        }

        let state: VRRPInitialState
        if let fileState {
            state = fileState.value
            if fileState.value != role.defaultState {
                overrides.append(Override(
                    instance: instance, setting: .state, value: fileState.value.rawValue,
                    source: .file(fileState.location), replaces: roleDefault(role.defaultState.rawValue)
                ))
            }
        } else {
            state = role.defaultState
        }
        return Resolution(priority: priority, state: state, overrides: overrides)
    }

    private func roleDefault(_ value: some CustomStringConvertible) -> String {
        "role \(role.rawValue)'s default \(value)"
    }

    /// `configuration` with every VRRP instance's `priority` and `state` filled in, and the
    /// overrides to log. The model does not keep the `priority`/`state` lines' own locations, so
    /// an override from the file names the instance's `vrrp_instance` line.
    public func apply(to configuration: Configuration) -> (configuration: Configuration, overrides: [Override]) {
        var resolved = configuration
        var overrides: [Override] = []
        for index in resolved.vrrpInstances.indices {
            let instance = resolved.vrrpInstances[index]
            let origin = "vrrp_instance \(instance.name) at \(instance.location)"
            let resolution = resolve(
                instance: instance.name,
                filePriority: instance.priority.map { ($0, origin) },
                fileState: instance.initialState.map { ($0, origin) }
            )
            resolved.vrrpInstances[index].priority = resolution.priority
            resolved.vrrpInstances[index].initialState = resolution.state
            overrides += resolution.overrides
        }
        return (resolved, overrides)
    }
}
