import ArgumentParser
import Control

/// `hactl server disable|enable|drain|weight BACKEND/SERVER [N]`.
struct Server: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a server out of service or back (HAProxy's maint, drain, ready, set weight).",
        discussion: """
            disable  MAINT: no traffic at all, persisted (cookie) clients go elsewhere, checks stop
            drain    no new sessions; persisted clients and open sessions still reach it
            enable   ready again
            weight N the balancer's weight (0-256) from now on

            Examples:
              hactl server drain web/websrv1
              hactl server weight web/websrv2 0
            Exit status: 0 done, 1 refused (unknown name, out of range), 2 the node cannot be reached.
            """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case disable, enable, drain, weight
    }

    @OptionGroup var socket: ControlSocketOption

    @Argument(help: "disable, enable, drain or weight.")
    var action: Action

    @Argument(help: ArgumentHelp("The server, as BACKEND/SERVER.", valueName: "BACKEND/SERVER"))
    var target: String

    @Argument(help: "The weight, for 'weight'.")
    var weight: Int?

    func validate() throws {
        guard target.split(separator: "/").count == 2 else {
            throw ValidationError("expected BACKEND/SERVER, such as web/websrv1 (got '\(target)')")
        }
        if action == .weight, weight == nil { throw ValidationError("'weight' needs a number: hactl server weight \(target) N") }
        if action != .weight, weight != nil { throw ValidationError("only 'weight' takes a number") }
    }

    func run() async throws {
        let parts = target.split(separator: "/").map(String.init)
        let serverAction: ControlCommand.ServerAction = switch action {
        case .disable: .disable
        case .enable: .enable
        case .drain: .drain
        case .weight: .weight(weight ?? 0)
        }
        try socket.finish(try await socket.send(.server(backend: parts[0], server: parts[1], action: serverAction)))
    }
}

/// `hactl frontend disable|enable NAME`.
struct Frontend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop or resume accepting on a frontend (the failover drill: the probe fails, the VIP moves).",
        discussion: """
            disable closes the frontend's listeners (open sessions finish). hactl's own liveness \
            probe then fails, so a MASTER hands its VIPs to the peer: the drill operators run to \
            test the failover path. enable binds them again.
            Exit status: 0 done, 1 refused, 2 the node cannot be reached.
            """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case disable, enable
    }

    @OptionGroup var socket: ControlSocketOption

    @Argument(help: "disable or enable.")
    var action: Action

    @Argument(help: "The frontend's name.")
    var name: String

    func run() async throws {
        try socket.finish(try await socket.send(.frontend(name: name, action: action == .disable ? .disable : .enable)))
    }
}

/// `hactl reload`: SIGHUP over the socket, with the report.
struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reload the running node's files and print what changed.",
        discussion: """
            As SIGHUP does: the files are read and validated again; a bad file changes nothing. \
            Prints each change applied, each that needs a restart, and every error at file:line.
            Exit status: 0 applied or unchanged, 1 rejected or failed, 2 the node cannot be reached.
            """
    )

    @OptionGroup var socket: ControlSocketOption

    func run() async throws {
        try socket.finish(try await socket.send(.reload, timeout: .seconds(60)))
    }
}
