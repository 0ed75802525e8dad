import ArgumentParser
import Control
import FoundationEssentials

/// `-S/--socket PATH` for every command that talks to a running node.
struct ControlSocketOption: ParsableArguments {
    @Option(name: [.customShort("S"), .customLong("socket")],
            help: ArgumentHelp("The node's control socket (default: $HACTL_SOCKET, else /run/hactl/hactl.sock).", valueName: "PATH"))
    var path: String?

    var resolved: String {
        path ?? ProcessInfo.processInfo.environment["HACTL_SOCKET"] ?? ControlServer.Configuration.defaultPath
    }

    /// Sends `command`; an unreachable node is exit status 2 with the socket and the error named.
    func send(_ command: ControlCommand, timeout: Duration = .seconds(15)) async throws -> ControlReply {
        do {
            return try await ControlClient(path: resolved, timeout: timeout).send(command)
        } catch {
            StandardStreams.error("hactl: \(error)\n")
            throw ExitCode(2)
        }
    }

    /// Prints a `.done` message (exit 0) or a failure (exit 1).
    func finish(_ reply: ControlReply) throws {
        switch reply {
        case .done(let message):
            print(message)
        case .failed(let failure):
            StandardStreams.error("hactl: \(failure)\n")
            throw ExitCode(1)
        case .status:
            throw ExitCode(1)
        }
    }
}
