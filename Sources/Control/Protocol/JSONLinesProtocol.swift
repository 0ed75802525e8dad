import FoundationEssentials

/// hactl's own control protocol, version 1: JSON lines over the control socket.
///
/// One request per line, `{"v":1,"cmd":"status"}`; the commands and their fields:
///
/// | `cmd`      | fields                                                                  |
/// |------------|-------------------------------------------------------------------------|
/// | `status`   | —                                                                       |
/// | `failover` | `instance` (optional), `force`, `clear`, `wait` (booleans, default false) |
/// | `server`   | `action` (`disable`/`enable`/`drain`/`weight`), `backend`, `server`, `weight` (for `weight`) |
/// | `frontend` | `action` (`disable`/`enable`), `name`                                   |
/// | `reload`   | —                                                                       |
///
/// One response per line: `{"v":1,"ok":true,"data":{...}}` (`data` is the `StatusReport` for
/// `status`, `{"message":"..."}` otherwise) or `{"v":1,"ok":false,"error":"..."}`. A connection
/// may carry several requests, answered in order.
public enum JSONLinesProtocol {
    /// The protocol version this build speaks.
    public static let version = 1

    // MARK: Requests

    /// The request line for `command`, without the newline.
    public static func encodeRequest(_ command: ControlCommand) -> String {
        var wire = WireRequest()
        switch command {
        case .status:
            wire.cmd = "status"
        case .reload:
            wire.cmd = "reload"
        case .failover(let failover):
            wire.cmd = "failover"
            wire.instance = failover.instance
            wire.force = failover.force
            wire.clear = failover.clear
            wire.wait = failover.wait
        case .server(let backend, let server, let action):
            wire.cmd = "server"
            wire.backend = backend
            wire.server = server
            switch action {
            case .disable: wire.action = "disable"
            case .enable: wire.action = "enable"
            case .drain: wire.action = "drain"
            case .weight(let weight):
                wire.action = "weight"
                wire.weight = weight
            }
        case .frontend(let name, let action):
            wire.cmd = "frontend"
            wire.name = name
            wire.action = action.rawValue
        }
        // Version first, so a reader of a capture sees it before anything else.
        let body = JSONCoding.string(wire)
        return body == "{}" ? #"{"v":1}"# : #"{"v":\#(version),"# + body.dropFirst()
    }

    /// Decodes one request line; the failure is the message the `error` field carries.
    public static func decodeRequest(_ line: String) -> Result<ControlCommand, ControlFailure> {
        let wire: WireRequest
        do {
            wire = try JSONDecoder().decode(WireRequest.self, from: Data(line.utf8))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty,
            let DecodingError.valueNotFound(_, context) where !context.codingPath.isEmpty {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(.other("field \"\(field)\" has the wrong type"))
        } catch {
            return .failure(.other("request is not a JSON object on one line"))
        }
        guard let v = wire.v else {
            return .failure(.other("request has no protocol version \"v\" (this hactl speaks v\(version))"))
        }
        guard v == version else {
            return .failure(.other("unsupported protocol version \(v) (this hactl speaks v\(version))"))
        }
        guard let cmd = wire.cmd else {
            return .failure(.other("request has no \"cmd\" (one of: status, failover, server, frontend, reload)"))
        }
        switch cmd {
        case "status":
            return .success(.status)
        case "reload":
            return .success(.reload)
        case "failover":
            return .success(.failover(.init(
                instance: wire.instance, force: wire.force ?? false, clear: wire.clear ?? false, wait: wire.wait ?? false
            )))
        case "server":
            guard let backend = wire.backend, !backend.isEmpty else { return .failure(.other("server: missing \"backend\"")) }
            guard let server = wire.server, !server.isEmpty else { return .failure(.other("server: missing \"server\"")) }
            let action: ControlCommand.ServerAction
            switch wire.action {
            case "disable": action = .disable
            case "enable": action = .enable
            case "drain": action = .drain
            case "weight":
                guard let weight = wire.weight else { return .failure(.other("server weight: missing \"weight\"")) }
                guard (0...256).contains(weight) else {
                    return .failure(.other("server weight: \(weight) is out of range (0...256)"))
                }
                action = .weight(weight)
            case let other:
                return .failure(.other("server: \"action\" must be disable, enable, drain or weight, not \(other.map { "\"\($0)\"" } ?? "missing")"))
            }
            return .success(.server(backend: backend, server: server, action: action))
        case "frontend":
            guard let name = wire.name, !name.isEmpty else { return .failure(.other("frontend: missing \"name\"")) }
            guard let action = wire.action.flatMap(ControlCommand.FrontendAction.init(rawValue:)) else {
                return .failure(.other("frontend: \"action\" must be disable or enable"))
            }
            return .success(.frontend(name: name, action: action))
        default:
            return .failure(.other("unknown command \"\(cmd)\" (one of: status, failover, server, frontend, reload)"))
        }
    }

    // MARK: Responses

    /// The response line for `reply`, without the newline.
    public static func encodeResponse(_ reply: ControlReply) -> String {
        switch reply {
        case .status(let report):
            return #"{"v":\#(version),"ok":true,"data":"# + JSONCoding.string(report) + "}"
        case .done(let message):
            return #"{"v":\#(version),"ok":true,"data":"# + JSONCoding.string(Message(message: message)) + "}"
        case .failed(let failure):
            return encodeError(failure.description)
        }
    }

    /// An `ok:false` response carrying `message`.
    public static func encodeError(_ message: String) -> String {
        #"{"v":\#(version),"ok":false,"error":"# + JSONCoding.string([message]).dropFirst().dropLast() + "}"
    }

    /// Decodes the response to `command`. A refusal (`ok:false`) is `.failed(.other(error))`.
    public static func decodeResponse(_ line: String, to command: ControlCommand) throws(ControlProtocolError) -> ControlReply {
        let data = Data(line.utf8)
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch {
            throw .malformedResponse("not a JSON response line: \(line.prefix(120))")
        }
        guard envelope.v == version else { throw .malformedResponse("response has protocol version \(envelope.v), expected \(version)") }
        guard envelope.ok else { return .failed(.other(envelope.error ?? "refused without a reason")) }
        do {
            if case .status = command {
                return .status(try JSONDecoder().decode(DataEnvelope<StatusReport>.self, from: data).data)
            }
            return .done(message: try JSONDecoder().decode(DataEnvelope<Message>.self, from: data).data.message)
        } catch {
            throw .malformedResponse("response data does not fit \(command.name): \(error)")
        }
    }

    // MARK: Wire shapes

    struct WireRequest: Codable {
        var v: Int?
        var cmd: String?
        var instance: String?
        var force: Bool?
        var clear: Bool?
        var wait: Bool?
        var action: String?
        var backend: String?
        var server: String?
        var weight: Int?
        var name: String?
    }

    struct Message: Codable {
        var message: String
    }

    struct Envelope: Decodable {
        var v: Int
        var ok: Bool
        var error: String?
    }

    struct DataEnvelope<Payload: Decodable>: Decodable {
        var data: Payload
    }
}

/// A response the client cannot read.
public enum ControlProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .malformedResponse(let detail): "hactl answered something this client cannot read: \(detail)"
        }
    }
}
