#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A compiled HAProxy log-format string (§8.2.4): the value of `set-header`, `add-header` and
/// `redirect location|prefix|scheme`. A string without `%` stays `.literal` and costs nothing per
/// request; otherwise its parts are evaluated in order against the request. Everything the
/// configuration fixes (`%H`, `%pid`, `%f` in a frontend, `%b` and `be_name` in a backend) is folded
/// into literal text when it is compiled.
package enum LogFormatString: Sendable, Hashable, ExpressibleByStringLiteral {
    case literal(String)
    case parts([LogFormatPart])

    package init(stringLiteral value: String) {
        self = .literal(value)
    }

    /// The parts, with adjacent literals merged; a string that is all literal becomes `.literal`.
    package init(parts: [LogFormatPart]) {
        var merged: [LogFormatPart] = []
        for part in parts {
            if case .literal(let text) = part, case .literal(let previous)? = merged.last {
                merged[merged.count - 1] = .literal(previous + text)
            } else {
                merged.append(part)
            }
        }
        if merged.isEmpty {
            self = .literal("")
        } else if merged.count == 1, case .literal(let text) = merged[0] {
            self = .literal(text)
        } else {
            self = .parts(merged)
        }
    }

    /// The string for this request.
    package func evaluate(_ facts: RequestFacts) -> String {
        switch self {
        case .literal(let text):
            return text
        case .parts(let parts):
            var output = ""
            output.reserveCapacity(64)
            for part in parts { part.append(facts, to: &output) }
            return output
        }
    }
}

/// One part of a compiled log-format string.
package enum LogFormatPart: Sendable, Hashable {
    case literal(String)
    case sample(SampleExpression)
    case variable(RequestVariable)

    func append(_ facts: RequestFacts, to output: inout String) {
        switch self {
        case .literal(let text): output += text
        case .sample(let expression):
            if facts.log != nil {
                // In a log line an absent sample is `-`, as HAProxy logs it.
                let value = expression.evaluate(facts)
                if case .absent = value { output += "-" } else { value.append(to: &output) }
            } else {
                expression.append(facts, to: &output)
            }
        case .variable(let variable): variable.append(facts, to: &output)
        }
    }
}

/// The `%` variables that change per request (§8.2.4); the others are compiled to text.
package enum RequestVariable: Sendable, Hashable {
    /// `%ci`, `%cp`.
    case clientIP, clientPort
    /// `%fi`, `%fp`: where the client connected.
    case frontendIP, frontendPort
    /// `%f`, `%ft` in a backend's rules (several frontends may use the backend).
    case frontendName
    /// `%ft`: the frontend name, `~` after it on a TLS connection.
    case frontendNameTransport
    /// `%t`: local date with milliseconds; `%T`: GMT date; `%Ts`: epoch seconds.
    case date, gmtDate, timestamp
    /// `%HM`, `%HU`, `%HP`, `%HQ`, `%HV`, `%r`.
    case method, uri, path, query, version, requestLine
    /// `%ID`: the request's unique id (empty without `unique-id-format`).
    case uniqueID
    /// What only the log line knows (`log-format`).
    case log(LogField)

    func append(_ facts: RequestFacts, to output: inout String) {
        switch self {
        case .clientIP: output += facts.source?.ipAddress ?? ""
        case .clientPort: output += facts.source?.port.map { String($0) } ?? ""
        case .frontendIP: output += facts.destination?.ipAddress ?? ""
        case .frontendPort: output += (facts.destinationPort ?? facts.destination?.port).map { String($0) } ?? ""
        case .frontendName: output += facts.frontendName
        case .frontendNameTransport:
            output += facts.frontendName
            if facts.tls { output += "~" }
        case .date: output += LogDate.local(wallNanoseconds: facts.wallClockNanoseconds ?? LogDate.nowNanoseconds())
        case .gmtDate: output += LogDate.gmt(wallNanoseconds: facts.wallClockNanoseconds ?? LogDate.nowNanoseconds())
        case .timestamp: output += String((facts.wallClockNanoseconds ?? LogDate.nowNanoseconds()) / 1_000_000_000)
        case .method: output += facts.head.method
        case .uri: output += facts.head.target
        case .path: output += facts.head.path
        case .query:
            if let query = facts.head.query {
                output += "?"
                output += query
            }
        case .version: output += facts.head.minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1"
        case .uniqueID:
            output += facts.uniqueID ?? ""
        case .log(let field):
            guard let line = facts.log else { return }
            field.append(line, to: &output)
        case .requestLine:
            output += facts.head.method
            output += " "
            output += facts.head.target
            output += facts.head.minorVersion == 0 ? " HTTP/1.0" : " HTTP/1.1"
        }
    }
}

/// The `log-format` variables read from the finished exchange, as the httplog line has them.
package enum LogField: Sendable, Hashable {
    case backendName, serverName, acceptDate, requestLine
    case tq, tw, tc, tr, ta
    case status, bytes, terminationState, terminationStateWithCookie
    case requestCaptures, responseCaptures, activeSessions, retries

    func append(_ line: HTTPLogLine, to output: inout String) {
        switch self {
        case .backendName: output += line.backend
        case .serverName: output += line.server
        case .acceptDate: output += line.acceptDate
        case .requestLine: output += line.requestLine
        case .tq: output += String(line.tq)
        case .tw: output += String(line.tw)
        case .tc: output += String(line.tc)
        case .tr: output += String(line.tr)
        case .ta: output += String(line.ta)
        case .status: output += String(line.status)
        case .bytes: output += String(line.bytes)
        case .terminationState: output += line.termination.prefix(2)
        case .terminationStateWithCookie: output += line.termination
        case .requestCaptures:
            if let captures = line.requestCaptures { output += "{" + captures.joined(separator: "|") + "}" }
        case .responseCaptures:
            if let captures = line.responseCaptures { output += "{" + captures.joined(separator: "|") + "}" }
        case .activeSessions: output += String(line.activeSessions)
        case .retries: output += String(line.retries)
        }
    }
}

/// The process facts a compiled string folds in: `%H` and `%pid`.
package struct LogFormatHost: Sendable {
    package var hostname: String
    package var pid: Int

    package init(hostname: String, pid: Int) {
        self.hostname = hostname
        self.pid = pid
    }

    /// This machine and process.
    package static func current() -> LogFormatHost {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return LogFormatHost(hostname: name, pid: Int(getpid()))
    }
}
