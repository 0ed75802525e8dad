/// Answers the lines of one control connection: decides the dialect, checks the level, asks the
/// responder, words the answer. No sockets here, so every rule is testable without one.
struct ControlSession: Sendable {
    /// What the server does after writing an answer.
    struct Answer: Sendable, Equatable {
        var text: String
        /// HAProxy's dialect closes after one line (non-interactive mode); JSON lines keep the
        /// connection for further requests.
        var close: Bool
    }

    let level: ControlLevel
    let responder: any ControlResponder
    /// The process id `show info` reports.
    let pid: Int32

    /// One line, without its newline.
    func answer(_ line: String) async -> Answer {
        let trimmed = line.trimmingBlanks()
        if trimmed.hasPrefix("{") {
            return Answer(text: await answerJSON(trimmed) + "\n", close: false)
        }
        var text = ""
        for request in RuntimeAPIRequest.parseLine(trimmed) {
            text += await answerRuntimeAPI(request)
        }
        return Answer(text: text, close: true)
    }

    private func answerJSON(_ line: String) async -> String {
        switch JSONLinesProtocol.decodeRequest(line) {
        case .failure(let failure):
            return JSONLinesProtocol.encodeError(failure.description)
        case .success(let command):
            return JSONLinesProtocol.encodeResponse(await perform(command))
        }
    }

    private func answerRuntimeAPI(_ request: RuntimeAPIRequest) async -> String {
        switch request {
        case .help:
            return RuntimeAPIAnswer.help()
        case .unknown:
            return RuntimeAPIAnswer.unknownCommand()
        case .invalid(let message):
            return RuntimeAPIAnswer.invalid(message)
        case .command(let command):
            return RuntimeAPIAnswer.reply(await perform(command))
        case .showTable(let name, let key):
            return RuntimeAPIAnswer.showTable(await responder.stickTables(), name: name, key: key)
        case .clearTable(let name, let key):
            guard level >= .operator else {
                return RuntimeAPIAnswer.reply(.failed(.permissionDenied(command: "clear table", needed: .operator, socketLevel: level)))
            }
            return RuntimeAPIAnswer.reply(await responder.clearStickTable(name, key: key))
        case .showInfo, .showStat, .showServersState:
            let reply = await perform(.status)
            guard case .status(let report) = reply else { return RuntimeAPIAnswer.reply(reply) }
            return switch request {
            case .showInfo: RuntimeAPIAnswer.showInfo(report, pid: pid)
            case .showServersState(let backend): RuntimeAPIAnswer.showServersState(report, backend: backend)
            default: RuntimeAPIAnswer.showStat(report)
            }
        }
    }

    /// The level check every command passes before reaching the responder.
    private func perform(_ command: ControlCommand) async -> ControlReply {
        guard command.requiredLevel <= level else {
            return .failed(.permissionDenied(command: command.name, needed: command.requiredLevel, socketLevel: level))
        }
        return await responder.respond(to: command, level: level)
    }
}
