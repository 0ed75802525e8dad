import HAConfig
import Logging
import NIOCore

/// keepalived's notify scripts: `notify_master` / `notify_backup` / `notify_fault` /
/// `notify_stop` run as written, `notify` gets TYPE NAME STATE PRIORITY appended
/// (TYPE INSTANCE or GROUP, STATE MASTER/BACKUP/FAULT/STOP). Never waited for by the
/// engine; each run is killed at `timeout` and reaped.
struct NotifyRunner: Sendable {
    var eventLoopGroup: any EventLoopGroup
    var logger: Logger
    var timeout: TimeAmount = .seconds(30)

    func notify(plan: InstancePlan, state: VRRPState, priority: UInt8, includeGroup: Bool) {
        let word: String
        switch state {
        case .master: word = "MASTER"
        case .backup: word = "BACKUP"
        case .fault: word = "FAULT"
        case .initialize: word = "STOP"
        }
        for target in plan.notify where includeGroup || target.kind == "INSTANCE" {
            let specific: ScriptCommand?
            switch state {
            case .master: specific = target.master
            case .backup: specific = target.backup
            case .fault: specific = target.fault
            case .initialize: specific = target.stop
            }
            if let specific { launch(specific.argv, what: "notify_\(word.lowercased())") }
            if let generic = target.notify {
                launch(generic.argv + [target.kind, target.name, word, "\(priority)"], what: "notify")
            }
        }
    }

    func launch(_ argv: [String], what: String) {
        let loop = eventLoopGroup.next()
        let logger = self.logger
        ScriptProcess.run(argv, timeout: timeout, on: loop).whenSuccess { outcome in
            if !outcome.succeeded {
                logger.warning(
                    "notify script failed",
                    metadata: ["script": "\(what)", "command": "\(argv.joined(separator: " "))", "outcome": "\(outcome.description)"])
            }
        }
    }
}
