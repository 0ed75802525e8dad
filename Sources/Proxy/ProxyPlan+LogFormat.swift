import HACore
package import HAConfig

/// Compiles the configuration's log-format strings (§8.2.4) into the proxy's `LogFormatString`.
extension ProxyPlan {
    /// Where a string is evaluated: the names a rule there knows for certain, and the process.
    package struct LogFormatScope: Sendable {
        /// The frontend, for a frontend's (or listen's) rules; `nil` in a backend, which several frontends may use.
        package var frontendName: String?
        /// The backend, for a backend's or listen's rules; `nil` in a frontend (chosen after its rules).
        package var backendName: String?
        package var host: LogFormatHost
        /// The slot of each variable the configuration sets (`set-var`), numbered for the whole plan.
        package var variables: [VariableName: VariableSlot]
        /// A `log-format` line: `%b` is the backend that served the request, read at log time.
        package var logLine = false

        package init(frontendName: String?, backendName: String?, host: LogFormatHost, variables: [VariableName: VariableSlot] = [:]) {
            self.frontendName = frontendName
            self.backendName = backendName
            self.host = host
            self.variables = variables
        }
    }

    /// Numbers every variable a `set-var` rule sets: `sess` ones in the connection's array, the
    /// others in the request's. A `var()` of a variable nobody sets is always absent.
    static func variableSlots(_ configuration: Configuration) -> [VariableName: VariableSlot] {
        var names: Set<VariableName> = []
        let rules = configuration.frontends.flatMap(\.httpRequestRules) + configuration.backends.flatMap(\.httpRequestRules)
        for rule in rules {
            if case .setVariable(let variable, _) = rule.action { names.insert(variable) }
        }
        var slots: [VariableName: VariableSlot] = [:]
        var counts = (session: 0, request: 0)
        for name in names.sorted(by: { $0.description < $1.description }) {
            if name.scope == .sess {
                slots[name] = VariableSlot(index: counts.session, session: true)
                counts.session += 1
            } else {
                slots[name] = VariableSlot(index: counts.request, session: false)
                counts.request += 1
            }
        }
        return slots
    }

    /// A bare sample expression (`set-var`), compiled as a `%[...]` would be.
    static func sampleExpression(_ expression: HAConfig.SampleExpression, scope: LogFormatScope, location: SourceLocation) throws -> Proxy.SampleExpression {
        switch try part(expression, scope: scope, location: location) {
        case .sample(let compiled): return compiled
        case .literal(let text):
            // Folded at configuration time (`fe_name`, `be_name`): the same text every time.
            return Proxy.SampleExpression(fetch: .constant(text))
        case .variable: throw ProxyError("\(location): unexpected variable in a sample expression")
        }
    }

    static func logFormat(_ format: LogFormat, scope: LogFormatScope, location: SourceLocation) throws -> LogFormatString {
        if let literal = format.literalValue { return .literal(literal) }
        var parts: [LogFormatPart] = []
        for segment in format.segments {
            switch segment {
            case .literal(let text):
                parts.append(.literal(text))
            case .variable(let variable, let at):
                parts.append(try part(variable, scope: scope, location: at == .builtIn ? location : at))
            case .sample(let expression):
                parts.append(try part(expression, scope: scope, location: expression.location == .builtIn ? location : expression.location))
            }
        }
        return LogFormatString(parts: parts)
    }

    private static func part(_ variable: LogFormatVariable, scope: LogFormatScope, location: SourceLocation) throws -> LogFormatPart {
        switch variable {
        case .clientIP: return .variable(.clientIP)
        case .clientPort: return .variable(.clientPort)
        case .frontendIP: return .variable(.frontendIP)
        case .frontendPort: return .variable(.frontendPort)
        case .frontendName:
            return scope.frontendName.map(LogFormatPart.literal) ?? .variable(.frontendName)
        case .frontendNameTransport:
            // `~` after the name when the client came over TLS: known per connection only.
            return .variable(.frontendNameTransport)
        case .sslCipher: return .sample(SampleExpression(fetch: .sslCipher))
        case .sslVersion: return .sample(SampleExpression(fetch: .sslProtocol))
        case .backendName:
            if scope.logLine { return .variable(.log(.backendName)) }
            guard let name = scope.backendName else {
                throw ProxyError("\(location): '%b' is not known in a frontend's http-request rules (the backend is chosen after them)")
            }
            return .literal(name)
        case .hostname: return .literal(scope.host.hostname)
        case .pid: return .literal(String(scope.host.pid))
        case .date: return .variable(scope.logLine ? .log(.acceptDate) : .date)
        case .gmtDate: return .variable(.gmtDate)
        case .timestamp: return .variable(.timestamp)
        case .method: return .variable(.method)
        case .uri: return .variable(.uri)
        case .path: return .variable(.path)
        case .query: return .variable(.query)
        case .version: return .variable(.version)
        case .requestLine: return .variable(scope.logLine ? .log(.requestLine) : .requestLine)
        case .uniqueID: return .variable(.uniqueID)
        case .serverName: return .variable(.log(.serverName))
        case .requestDate: return .variable(.log(.acceptDate))
        case .requestTime, .requestHeadTime: return .variable(.log(.tq))
        case .queueTime: return .variable(.log(.tw))
        case .connectTime: return .variable(.log(.tc))
        case .responseTime: return .variable(.log(.tr))
        case .activeTime, .totalTime: return .variable(.log(.ta))
        case .status: return .variable(.log(.status))
        case .bytes: return .variable(.log(.bytes))
        case .terminationState: return .variable(.log(.terminationState))
        case .terminationStateWithCookie: return .variable(.log(.terminationStateWithCookie))
        case .requestCookie, .responseCookie: return .literal("-")
        case .requestCaptures: return .variable(.log(.requestCaptures))
        case .responseCaptures: return .variable(.log(.responseCaptures))
        case .activeConnections, .frontendConnections: return .variable(.log(.activeSessions))
        case .backendConnections, .serverConnections, .serverQueue, .backendQueue: return .literal("0")
        case .retries: return .variable(.log(.retries))
        }
    }

    private static func part(_ expression: HAConfig.SampleExpression, scope: LogFormatScope, location: SourceLocation) throws -> LogFormatPart {
        let fetch: Proxy.SampleFetch
        switch expression.fetch {
        case .source: fetch = .source
        case .sourcePort: fetch = .sourcePort
        case .destination: fetch = .destination
        case .destinationPort: fetch = .destinationPort
        case .header(let name, let occurrence): fetch = .header(FieldNameKey(name), occurrence: occurrence)
        case .fullHeader(let name, let occurrence): fetch = .fullHeader(FieldNameKey(name), occurrence: occurrence)
        case .path: fetch = .path
        case .url: fetch = .url
        case .query: fetch = .query
        case .method: fetch = .method
        case .base: fetch = .base
        case .requestVersion: fetch = .requestVersion
        case .frontendName:
            guard let name = scope.frontendName else { fetch = .frontendName; break }
            if expression.converters.isEmpty { return .literal(name) }
            fetch = .frontendName
        case .backendName:
            guard let name = scope.backendName else {
                throw ProxyError("\(location): 'be_name' is not known in a frontend's http-request rules (the backend is chosen after them)")
            }
            // Known at configuration time: converters run once, here.
            let value = Proxy.SampleExpression(fetch: .frontendName, converters: expression.converters.map(converter))
            let facts = RequestFacts(head: HTTPRequestHead(method: "", target: ""), source: nil, frontendName: name)
            return .literal(String(value.evaluate(facts).text))
        case .sslFrontConnection: fetch = .sslFrontConnection
        case .sslServerName: fetch = .sslServerName
        case .variable(let name):
            guard let slot = scope.variables[name] else { return .literal("") }
            fetch = .variable(slot)
        case .status: fetch = .status
        case .responseHeader(let name, let occurrence): fetch = .responseHeader(FieldNameKey(name), occurrence: occurrence)
        case .uuid: fetch = .uuid
        case .sslProtocol: fetch = .sslProtocol
        case .sslCipher: fetch = .sslCipher
        case .sslALPN: fetch = .sslALPN
        case .cookie(let name): fetch = .cookie(name)
        case .urlParameter(let name): fetch = .urlParameter(name)
        case .sslClientUsed: fetch = .sslClientUsed
        case .sslClientVerify: fetch = .sslClientVerify
        case .sslClientSubjectDN: fetch = .sslClientSubjectDN
        case .sslClientIssuerDN: fetch = .sslClientIssuerDN
        }
        return .sample(Proxy.SampleExpression(fetch: fetch, converters: expression.converters.map(converter)))
    }

    private static func converter(_ converter: HAConfig.SampleConverter) -> Proxy.SampleConverter {
        switch converter {
        case .lower: .lower
        case .upper: .upper
        case .base64: .base64
        case .hex: .hex
        case .field(let index, let separators): .field(index: index, separators: Set(separators))
        case .word(let index, let separators): .word(index: index, separators: Set(separators))
        }
    }
}
