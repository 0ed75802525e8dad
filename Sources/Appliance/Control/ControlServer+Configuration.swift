import Control
import HAConfig

extension ControlServer.Configuration {
    /// HAProxy's `stats socket PATH [mode M] [level L] [user U] [group G]` and `stats timeout`;
    /// `/run/hactl/hactl.sock` at level admin and mode 600 when the file has no `stats socket`.
    init(_ global: GlobalSettings, override path: String?) {
        let socket = global.statsSocket
        self.init(
            path: path ?? socket?.path ?? Self.defaultPath,
            mode: socket?.mode.map { UInt32($0) } ?? 0o600,
            user: socket?.user,
            group: socket?.group,
            level: socket?.level.flatMap(ControlLevel.init(rawValue:)) ?? .admin,
            idleTimeout: global.statsTimeout ?? .seconds(10)
        )
    }
}
