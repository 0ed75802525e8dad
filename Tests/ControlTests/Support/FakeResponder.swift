@testable import Control

/// Answers like the appliance would for `Fixtures.report`, and records what it was asked.
struct FakeResponder: ControlResponder {
    let report: StatusReport
    let received = Recorder()

    init(report: StatusReport = Fixtures.report) {
        self.report = report
    }

    func respond(to command: ControlCommand, level: ControlLevel) async -> ControlReply {
        await received.append(command)
        switch command {
        case .status:
            return .status(report)
        case .server(let backend, let server, _):
            guard let found = report.backends.first(where: { $0.name == backend }) else { return .failed(.noSuchBackend(backend)) }
            guard found.servers.contains(where: { $0.name == server }) else {
                return .failed(.noSuchServer(backend: backend, server: server))
            }
            return .done(message: "\(backend)/\(server): \(command.name)")
        case .frontend(let name, _):
            return report.frontends.contains(where: { $0.name == name }) ? .done(message: "\(name): \(command.name)") : .failed(.noSuchFrontend(name))
        case .failover, .reload:
            return .done(message: command.name)
        }
    }
}

actor Recorder {
    private(set) var commands: [ControlCommand] = []

    func append(_ command: ControlCommand) {
        commands.append(command)
    }
}

/// Holds every answer until `open()`; tells through `called` when a request arrived.
final class GatedResponder: ControlResponder {
    let report: StatusReport
    let called: AsyncStream<Void>
    private let calledContinuation: AsyncStream<Void>.Continuation
    private let gate: AsyncStream<Void>
    private let gateContinuation: AsyncStream<Void>.Continuation

    init(report: StatusReport) {
        self.report = report
        (called, calledContinuation) = AsyncStream<Void>.makeStream()
        (gate, gateContinuation) = AsyncStream<Void>.makeStream()
    }

    func open() {
        gateContinuation.finish()
    }

    func respond(to command: ControlCommand, level: ControlLevel) async -> ControlReply {
        calledContinuation.yield()
        for await _ in gate {}
        return .status(report)
    }
}
