#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HACore
package import HAConfig
import NIOCore
import TLS

/// The one place where `HAConfig.Configuration` becomes the proxy's `ProxyPlan`.
///
/// Anything the proxy cannot honour is an error naming the configuration line, never a silent skip.
extension ProxyPlan {
    /// - Parameter now: the wall clock (seconds since the epoch) certificates' expiry is judged at;
    ///   nil reads it.
    package init(configuration: Configuration, now: Int64? = nil) throws {
        let now = now ?? Int64(time(nil))
        let global = configuration.global
        let globalTargets = try global.logTargets.map { try Self.logTarget($0, global: global) }
        var logTargets = globalTargets
        let backendNames = configuration.backends.map(\.name)
        func backendIndex(_ name: String, _ location: SourceLocation) throws -> Int {
            guard let index = backendNames.firstIndex(of: name) else {
                throw ProxyError("\(location): no backend named '\(name)'")
            }
            return index
        }
        let host = LogFormatHost.current()
        let variables = Self.variableSlots(configuration)
        var frontends: [FrontendPlan] = []
        var warnings: [String] = []
        var configWarnings: [ConfigWarning] = []
        for frontend in configuration.frontends {
            for target in frontend.logTargets {
                let mapped = try Self.logTarget(target, global: global)
                if !logTargets.contains(mapped) { logTargets.append(mapped) }
            }
            var binds: [BindPlan] = []
            for bind in frontend.binds {
                if bind.interface != nil {
                    throw ProxyError("\(bind.location): 'bind ... interface': not supported by the proxy")
                }
                let tls = bind.ssl ? try Self.tlsContext(bind, global: global, mode: frontend.mode, now: now,
                                                                 warnings: &warnings, configWarnings: &configWarnings) : nil
                binds.append(BindPlan(host: bind.host, port: bind.port, tls: tls, label: bind.name))
            }
            let acls = frontend.acls
            let routes = try frontend.useBackends.map { rule in
                RouteRule(backend: try backendIndex(rule.backend, rule.location),
                          condition: try Self.condition(rule.condition, acls: acls))
            }
            // HAProxy: a proxy logs to the global targets only with `log global`, plus its own `log` lines.
            var ownTargets = frontend.logGlobal ? globalTargets : []
            for target in frontend.logTargets {
                let mapped = try Self.logTarget(target, global: global)
                if !ownTargets.contains(mapped) { ownTargets.append(mapped) }
            }
            frontends.append(FrontendPlan(
                name: frontend.name,
                mode: frontend.mode == .http ? .http : .tcp,
                binds: binds,
                maxconn: frontend.maxconn ?? global.maxconn ?? 4096,
                timeouts: Self.timeouts(frontend.timeouts),
                httplog: frontend.httplog,
                tcplog: frontend.tcplog,
                dontlognull: frontend.dontlognull,
                forwardFor: try frontend.forwardFor.map { try Self.forwardFor($0, frontend.location) },
                connectionMode: Self.connectionMode(frontend.connectionMode),
                routes: routes,
                defaultBackend: try frontend.defaultBackend.map { try backendIndex($0, frontend.location) },
                // A listen's rules run in its own backend, so `%b`/`be_name` are known there.
                requestRules: try frontend.httpRequestRules.map {
                    try Self.requestRule($0, acls: acls, scope: LogFormatScope(
                        frontendName: frontend.name, backendName: frontend.isListen ? frontend.name : nil, host: host, variables: variables))
                },
                errorFiles: try Self.errorFiles(frontend.errorFiles, frontend.location)
            ))
            if let tag = frontend.logTag {
                for index in ownTargets.indices { ownTargets[index].tag = tag }
            }
            frontends[frontends.count - 1].logTargets = ownTargets
            frontends[frontends.count - 1].httplogCLF = frontend.httplogCLF
            frontends[frontends.count - 1].bufferRequest = frontend.bufferRequest
            frontends[frontends.count - 1].compression = frontend.compression.map(CompressionPlan.init)
            let responseScope = LogFormatScope(frontendName: frontend.name, backendName: frontend.isListen ? frontend.name : nil, host: host, variables: variables)
            if let format = frontend.logFormat {
                if frontend.mode == .tcp {
                    warnings.append("\(frontend.location): frontend '\(frontend.name)': 'log-format' is not applied in mode tcp (hactl keeps its tcplog line)")
                } else {
                    // Evaluated when the exchange is over: the backend is whichever served it.
                    var scope = responseScope
                    scope.backendName = nil
                    scope.logLine = true
                    frontends[frontends.count - 1].logFormat = try Self.logFormat(format, scope: scope, location: frontend.location)
                }
            }
            if let format = frontend.uniqueIDFormat {
                frontends[frontends.count - 1].uniqueIDFormat = try Self.logFormat(format, scope: LogFormatScope(
                    frontendName: frontend.name, backendName: nil, host: host, variables: variables), location: frontend.location)
                frontends[frontends.count - 1].uniqueIDHeader = frontend.uniqueIDHeader
            } else if let name = frontend.uniqueIDHeader {
                warnings.append("\(frontend.location): frontend '\(frontend.name)': 'unique-id-header \(name)' has no effect without 'unique-id-format'")
            }
            frontends[frontends.count - 1].responseRules = try frontend.httpResponseRules.map { try Self.responseRule($0, acls: acls, scope: responseScope) }
            frontends[frontends.count - 1].afterResponseRules = try frontend.httpAfterResponseRules.map { try Self.responseRule($0, acls: acls, scope: responseScope) }
            for capture in frontend.captures {
                let plan = HeaderCapturePlan(name: capture.name, length: capture.length)
                switch capture.direction {
                case .request: frontends[frontends.count - 1].requestCaptures.append(plan)
                case .response: frontends[frontends.count - 1].responseCaptures.append(plan)
                }
            }
            if !frontend.captures.isEmpty, !frontend.httplog, frontend.logFormat == nil {
                warnings.append("\(frontend.location): frontend '\(frontend.name)': 'capture' is logged only with 'option httplog' or a 'log-format'")
            }
            frontends[frontends.count - 1].stats = try frontend.stats.map { try Self.stats($0, acls: acls) }
            frontends[frontends.count - 1].prometheusURI = frontend.prometheusURI
            if let uri = frontend.monitorURI {
                if frontend.mode == .tcp {
                    warnings.append("\(frontend.location): frontend '\(frontend.name)': 'monitor-uri' has no effect in mode tcp")
                }
                frontends[frontends.count - 1].monitor = MonitorPlan(uri: uri, fail: try frontend.monitorFail.map { try Self.condition($0, acls: acls) })
            } else if let condition = frontend.monitorFail.first {
                warnings.append("\(condition.location): frontend '\(frontend.name)': 'monitor fail' has no effect without 'monitor-uri'")
            }
        }
        for backend in configuration.backends {
            if backend.mode == .tcp, backend.cookie != nil {
                warnings.append("\(backend.location): backend '\(backend.name)': 'cookie' has no effect in mode tcp (HAProxy ignores it too)")
            }
            if backend.httpReuse == .aggressive || backend.httpReuse == .always {
                warnings.append("\(backend.location): backend '\(backend.name)': 'http-reuse \(backend.httpReuse.rawValue)' is served as 'safe'")
            }
            var drawsOnRing = false
            if case .random = backend.balance { drawsOnRing = true }
            if backend.hashBalanceFactor != 0, backend.hashType != .consistent, !drawsOnRing {
                warnings.append("\(backend.location): backend '\(backend.name)': 'hash-balance-factor' has effect only with 'hash-type consistent' or 'balance random'")
            }
            if backend.fullconn != nil {
                warnings.append("\(backend.location): backend '\(backend.name)': 'fullconn' has no effect without 'minconn' on servers")
            }
        }
        let stickTables = configuration.backends.compactMap { $0.stickTable.map(StickTablePlan.init) }
        let backends = try configuration.backends.map { backend in
            var plan = BackendPlan(
                name: backend.name,
                mode: backend.mode == .http ? .http : .tcp,
                balance: Self.balance(backend.balance),
                consistentHash: backend.hashType == .consistent,
                servers: try backend.servers.map {
                    try Self.server($0, backend: backend, global: global, configWarnings: &configWarnings)
                },
                cookie: backend.cookie.map(Self.cookie),
                healthCheck: try backend.healthCheck.map(Self.check),
                retries: backend.retries,
                redispatch: backend.redispatch,
                timeouts: Self.timeouts(backend.timeouts),
                connectionMode: Self.connectionMode(backend.connectionMode),
                forwardFor: try backend.forwardFor.map { try Self.forwardFor($0, backend.location) },
                reuseConnections: backend.httpReuse != .never
            )
            if let function = backend.hashFunction {
                let mapped: KeyHasher.Function = switch function {
                case .sdbm: .sdbm
                case .djb2: .djb2
                case .crc32: .crc32
                }
                plan.hasher = KeyHasher(function: mapped, avalanche: backend.hashAvalanche)
            }
            plan.hashBalanceFactor = backend.hashBalanceFactor
            // HAProxy: server UP/DOWN lines go to the backend's `log global` and own `log` targets.
            var ownTargets = backend.logGlobal ? globalTargets : []
            for target in backend.logTargets {
                let mapped = try Self.logTarget(target, global: global)
                if !ownTargets.contains(mapped) { ownTargets.append(mapped) }
            }
            if let tag = backend.logTag {
                for index in ownTargets.indices { ownTargets[index].tag = tag }
            }
            plan.logTargets = ownTargets
            plan.abortOnClose = backend.abortOnClose
            plan.pretendKeepAlive = backend.pretendKeepAlive
            plan.requestRules = try backend.httpRequestRules.map {
                try Self.requestRule($0, acls: backend.acls, scope: LogFormatScope(frontendName: nil, backendName: backend.name, host: host, variables: variables))
            }
            let responseScope = LogFormatScope(frontendName: nil, backendName: backend.name, host: host, variables: variables)
            plan.responseRules = try backend.httpResponseRules.map { try Self.responseRule($0, acls: backend.acls, scope: responseScope) }
            plan.afterResponseRules = try backend.httpAfterResponseRules.map { try Self.responseRule($0, acls: backend.acls, scope: responseScope) }
            plan.errorFiles = try Self.errorFiles(backend.errorFiles, backend.location)
            plan.bufferRequest = backend.bufferRequest
            plan.urlParamCheckPost = backend.urlParamCheckPost
            plan.compression = backend.compression.map(CompressionPlan.init)
            plan.stats = try backend.stats.map { try Self.stats($0, acls: backend.acls) }
            // A listen's `acl` lines are kept on its frontend half.
            let stickACLs = backend.isListen ? (configuration.frontends.first { $0.isListen && $0.name == backend.name }?.acls ?? []) : backend.acls
            plan.stickRules = try Self.stickRules(backend, acls: stickACLs, tables: stickTables,
                                                  scope: LogFormatScope(frontendName: nil, backendName: backend.name, host: host, variables: variables))
            return plan
        }
        self.init(maxconn: global.maxconn ?? 4096, threads: global.nbthread ?? 0, bufsize: global.tuneBufsize,
                  logTargets: logTargets, frontends: frontends, backends: backends)
        self.warnings = warnings
        self.configWarnings = configWarnings
        self.fileDigests = Self.fileDigests(configuration)
        self.stickTables = stickTables
        self.maxHeaderLines = global.tuneHTTPMaxhdr
    }

    /// The digests of the files TLS settings name (a `crt` directory: each of its files).
    static func fileDigests(_ configuration: Configuration) -> [String: String] {
        var paths: [String] = []
        for bind in configuration.frontends.flatMap(\.binds) where bind.ssl {
            if let path = bind.certificatePath {
                var isDirectory = stat()
                if stat(path, &isDirectory) == 0, (isDirectory.st_mode & S_IFMT) == S_IFDIR, let directory = opendir(path) {
                    while let entry = readdir(directory) {
                        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                        if !name.hasPrefix(".") { paths.append((path.hasSuffix("/") ? path : path + "/") + name) }
                    }
                    closedir(directory)
                } else {
                    paths.append(path)
                }
            }
            // crt-list: the list (its text was read at parse) and each certificate it names.
            if let list = bind.certificateListPath { paths.append(list) }
            paths += [bind.caFile, bind.crlFile].compactMap { $0 }
            paths += bind.certificateList.map(\.path)
            if let path = bind.ticketKeysFile { paths.append(path) }
        }
        for server in configuration.backends.flatMap(\.servers) where server.ssl || server.checkSSL {
            if let path = server.caFile, path != "@system-ca" { paths.append(path) }
            if let path = server.crt { paths.append(path) }
        }
        var digests: [String: String] = [:]
        for path in paths {
            guard let text = readFile(path) else { continue }
            digests[path] = SHA256.hexDigest(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        }
        return digests
    }

    /// `bind ... ssl crt PATH [options]` with `global`'s `ssl-default-bind-*` as defaults: the
    /// certificates are loaded here, so a bad file fails `hactl check` and a reload at its line.
    static func tlsContext(_ bind: Bind, global: GlobalSettings, mode: HAConfig.ProxyMode, now: Int64,
                           warnings: inout [String], configWarnings: inout [ConfigWarning]) throws -> TLSServerContext {
        guard bind.certificatePath != nil || !bind.certificateList.isEmpty else {
            throw ProxyError("\(bind.location): 'bind ... ssl' needs 'crt PATH' or 'crt-list FILE'")
        }
        let path = bind.certificatePath
        var defaults = TLSBindDefaults()
        var words = global.sslDefaultBindOptions[...]
        while let word = words.popFirst() {
            switch word {
            case "ssl-min-ver", "ssl-max-ver":
                guard let value = words.popFirst(), let version = TLSProtocolVersion(keyword: value) else {
                    throw ProxyError("ssl-default-bind-options: '\(word)' expects TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3")
                }
                if word == "ssl-min-ver" { defaults.minimum = version } else { defaults.maximum = version }
            // HAProxy's older spelling of a minimum version.
            case "no-sslv3": break
            case "no-tlsv10": defaults.minimum = max(defaults.minimum ?? .tls1_1, .tls1_1)
            case "no-tlsv11": defaults.minimum = max(defaults.minimum ?? .tls1_2, .tls1_2)
            case "strict-sni": defaults.strictSNI = true
            case "no-tls-tickets": defaults.noTickets = true
            default:
                // The parser refuses every other word at its line.
                throw ProxyError("ssl-default-bind-options: '\(word)' is not applied by hactl")
            }
        }
        var alpn = bind.alpn
        if mode == .http, alpn.contains(where: { $0 != "http/1.1" && $0 != "http/1.0" }) {
            warnings.append("\(bind.location): 'bind ... alpn \(alpn.joined(separator: ","))': the proxy speaks HTTP/1, so only http/1.1 is offered")
            alpn = alpn.filter { $0 == "http/1.1" || $0 == "http/1.0" }
        }
        let configuration = TLSServerConfiguration(
            certificatePath: path,
            minimumVersion: bind.sslMinVer.flatMap(TLSProtocolVersion.init(keyword:)) ?? defaults.minimum ?? .tls1_2,
            maximumVersion: bind.sslMaxVer.flatMap(TLSProtocolVersion.init(keyword:)) ?? defaults.maximum,
            ciphers: bind.ciphers ?? global.sslDefaultBindCiphers,
            ciphersuites: bind.ciphersuites ?? global.sslDefaultBindCiphersuites,
            alpn: alpn,
            strictSNI: bind.strictSNI || defaults.strictSNI,
            sessionTickets: !(bind.noTLSTickets || defaults.noTickets),
            ticketKeysFile: bind.ticketKeysFile,
            certificateList: bind.certificateList.map { entry in
                TLSCertificateListEntry(
                    path: entry.path, origin: "crt-list \(entry.location.file):\(entry.location.line)", sniFilters: entry.sniFilters,
                    alpn: entry.alpn.map { list in mode == .http ? list.filter { $0 == "http/1.1" || $0 == "http/1.0" } : list },
                    minimumVersion: entry.sslMinVer.flatMap(TLSProtocolVersion.init(keyword:)),
                    maximumVersion: entry.sslMaxVer.flatMap(TLSProtocolVersion.init(keyword:)),
                    ciphers: entry.ciphers, ciphersuites: entry.ciphersuites)
            }
        )
        var verified = configuration
        verified.clientVerify = bind.verify.flatMap(TLSServerConfiguration.ClientVerify.init(rawValue:)) ?? .none
        verified.clientCAFile = bind.caFile
        verified.clientCRLFile = bind.crlFile
        let context: TLSServerContext
        do {
            context = try TLSServerContext(configuration: verified)
        } catch {
            let what = path.map { "crt \($0)" } ?? "crt-list \(bind.certificateListPath ?? "")"
            throw ProxyError("\(bind.location): 'bind ... ssl \(what)': \(error.message)")
        }
        for bundle in context.expiredCertificates(at: now) {
            let message = "certificate '\(bundle.path)' expired on \(bundle.notAfterText); clients will refuse it"
            warnings.append("\(bind.location): 'bind': \(message)")
            configWarnings.append(ConfigWarning(location: bind.location, keyword: "bind", message: message))
        }
        return context
    }

    private struct TLSBindDefaults {
        var minimum: TLSProtocolVersion?
        var maximum: TLSProtocolVersion?
        var strictSNI = false
        var noTickets = false
    }

    static func duration(_ value: Duration) -> TimeAmount {
        let (seconds, attoseconds) = value.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    static func timeouts(_ t: Timeouts) -> TimeoutPlan {
        var plan = TimeoutPlan()
        plan.connect = t.connect.map(duration)
        plan.client = t.client.map(duration)
        plan.server = t.server.map(duration)
        plan.queue = t.queue.map(duration)
        plan.httpRequest = t.httpRequest.map(duration)
        plan.httpKeepAlive = t.httpKeepAlive.map(duration)
        plan.clientFin = t.clientFin.map(duration)
        plan.serverFin = t.serverFin.map(duration)
        plan.tunnel = t.tunnel.map(duration)
        plan.check = t.check.map(duration)
        plan.tarpit = t.tarpit.map(duration)
        return plan
    }

    static func connectionMode(_ mode: HTTPConnectionMode) -> ConnectionMode {
        switch mode {
        case .keepAlive: .keepAlive
        case .serverClose: .serverClose
        case .close: .close
        }
    }

    static func forwardFor(_ value: ForwardFor, _ location: SourceLocation) throws -> ForwardForPlan {
        var except: CIDR?
        if let network = value.exceptNetwork {
            guard let parsed = CIDR(network) else {
                throw ProxyError("\(location): 'option forwardfor except \(network)': not an address or network")
            }
            except = parsed
        }
        return ForwardForPlan(header: value.headerName, except: except, ifNone: value.ifNone)
    }

    /// A `log` line resolved: its destination, format, `len`, levels and the global `log-tag` /
    /// `log-send-hostname` its header carries.
    static func logTarget(_ target: HAConfig.LogTarget, global: GlobalSettings) throws -> Proxy.LogTarget {
        let facilities = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
                          "auth2", "ftp", "ntp", "audit", "alert", "cron2",
                          "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]
        guard let facility = facilities.firstIndex(of: target.facility) else {
            throw ProxyError("\(target.location): 'log': unknown facility '\(target.facility)'")
        }
        var resolved = Proxy.LogTarget(destination: try logDestination(target), facility: facility)
        // HAProxy: `local` is the default format; `log-send-hostname` makes it rfc3164.
        if let format = target.format {
            guard let known = SyslogFormat(rawValue: format) else {
                throw ProxyError("\(target.location): 'log': unknown format '\(format)'")
            }
            resolved.format = known
        } else if global.logSendHostname != nil {
            resolved.format = .rfc3164
        }
        if let length = target.length { resolved.maxLength = length }
        if let level = target.level {
            guard let severity = LogSeverity(name: level) else { throw ProxyError("\(target.location): 'log': unknown level '\(level)'") }
            resolved.maxSeverity = severity
        }
        if let level = target.minimumLevel {
            guard let severity = LogSeverity(name: level) else { throw ProxyError("\(target.location): 'log': unknown level '\(level)'") }
            resolved.minSeverity = severity
        }
        if let tag = global.logTag { resolved.tag = tag }
        if let sendHostname = global.logSendHostname {
            resolved.hostname = sendHostname ?? LogFormatHost.current().hostname
        }
        return resolved
    }

    static func logDestination(_ target: HAConfig.LogTarget) throws -> Proxy.LogTarget.Destination {
        switch target.address {
        // HAProxy: stdout and stderr are aliases of fd@1 and fd@2.
        case "stdout", "fd@1": return .stdout
        case "stderr", "fd@2": return .stderr
        default:
            if target.address.hasPrefix("fd@") || target.address.hasPrefix("ring@") {
                throw ProxyError("\(target.location): 'log \(target.address)': hactl logs to stdout (fd@1), stderr (fd@2), a unix socket or UDP syslog only")
            }
            if target.address.hasPrefix("/") { return .unixSocket(path: target.address) }
            // HOST, HOST:PORT, udp@HOST:PORT, [V6]:PORT or a bare IPv6 address.
            var address = Substring(target.address)
            if address.hasPrefix("udp@") || address.hasPrefix("udp4@") || address.hasPrefix("udp6@") {
                address = address[address.index(after: address.firstIndex(of: "@")!)...]
            }
            var host = String(address)
            var port = 514
            if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
                host = String(address[address.index(after: address.startIndex)..<close])
                let rest = address[address.index(after: close)...]
                if rest.hasPrefix(":"), let p = Int(rest.dropFirst()) { port = p }
            } else if address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {
                host = String(address[..<colon])
                guard let p = Int(address[address.index(after: colon)...]) else {
                    throw ProxyError("\(target.location): 'log \(target.address)': invalid port")
                }
                port = p
            }
            guard (try? SocketAddress(ipAddress: host, port: port)) != nil else {
                throw ProxyError("\(target.location): 'log \(target.address)': expected stdout, stderr, a unix socket path or an IP address")
            }
            return .udp(host: host, port: port)
        }
    }

    static func errorFiles(_ files: [Int: String], _ location: SourceLocation) throws -> [Int: String] {
        var pages: [Int: String] = [:]
        for (status, path) in files {
            guard let text = readFile(path) else {
                throw ProxyError("\(location): 'errorfile \(status) \(path)': cannot read the file")
            }
            pages[status] = text
        }
        return pages
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes.withUnsafeBytes { String(latin1: $0) }
    }

    static func balance(_ algorithm: HAConfig.BalanceAlgorithm) -> Proxy.BalanceAlgorithm {
        switch algorithm {
        case .roundRobin: .roundRobin
        case .staticRoundRobin: .staticRoundRobin
        case .leastConn: .leastConnections
        case .first: .first
        case .source: .source
        case .uri(let key): .uri(URIHashKey(whole: key.whole, length: key.length, depth: key.depth, pathOnly: key.pathOnly))
        case .urlParam(let name): .urlParameter(name)
        case .header(let name): .header(name)
        case .random(let draws): .random(draws: draws)
        }
    }

    static func server(_ server: Server, backend: Backend, global: GlobalSettings = GlobalSettings(),
                       configWarnings: inout [ConfigWarning]) throws -> ServerPlan {
        guard let port = server.port else {
            throw ProxyError("\(server.location): server '\(server.name)' has no port; the proxy needs one")
        }
        if server.sendProxy {
            throw ProxyError("\(server.location): server '\(server.name)': 'send-proxy' is not available in the proxy yet")
        }
        var plan = ServerPlan(
            name: server.name, host: server.host, port: port, weight: server.weight, maxconn: server.maxconn ?? 0,
            check: server.check, inter: duration(server.inter), fastinter: server.fastinter.map(duration),
            downinter: server.downinter.map(duration), rise: server.rise, fall: server.fall, backup: server.backup,
            disabled: server.disabled, cookie: server.cookie, slowstart: server.slowstart.map(duration),
            observeLayer7: server.observeLayer7
        )
        plan.checkHost = server.checkAddress
        plan.checkPort = server.checkPort
        if server.ssl || server.checkSSL {
            let tls = try Self.serverTLS(server, mode: backend.mode, global: global, configWarnings: &configWarnings)
            if server.ssl {
                plan.tls = tls.context
                plan.serverName = tls.serverName
                plan.verifyHost = server.verifyhost
            }
            // HAProxy: `check-ssl`, or `ssl` without `port`/`addr` sending the checks elsewhere.
            if server.checkSSL || (server.checkPort == nil && server.checkAddress == nil) {
                plan.checkTLS = tls.context
                plan.checkServerName = server.checkSNI
            }
        }
        return plan
    }

    /// `server ... ssl [verify none|required] [ca-file PATH] [crt PATH] [sni EXPR] [alpn LIST]`:
    /// the client context is built here, so a missing CA file fails `hactl check` at its line.
    /// As in HAProxy, `verify` defaults to `ssl-server-verify` (itself `required`), and verifying
    /// needs a `ca-file` (`@system-ca` takes OpenSSL's default store).
    static func serverTLS(_ server: Server, mode: HAConfig.ProxyMode, global: GlobalSettings,
                          configWarnings: inout [ConfigWarning]) throws -> (context: TLSClientContext, serverName: ServerNameSource?) {
        let what = "\(server.location): server '\(server.name)'"
        let verify = (server.verify ?? global.sslServerVerify ?? "required") == "required"
        if verify && server.caFile == nil {
            throw ProxyError("\(what): 'verify required' (the default) needs 'ca-file PATH' to check the server's certificate; "
                             + "write 'ca-file @system-ca' for the system's CAs, or 'verify none' on a network where the server is trusted")
        }
        if !verify {
            configWarnings.append(ConfigWarning(location: server.location, keyword: "server",
                message: "server '\(server.name)': 'verify none': the server's certificate is not checked, so anyone on the path can impersonate it"))
        }
        var serverName: ServerNameSource?
        if let expression = server.sni {
            if expression.hasPrefix("str(") {
                serverName = .constant(String(expression.dropFirst(4).dropLast()))
            } else {
                guard mode == .http else {
                    throw ProxyError("\(what): 'sni \(expression)' reads the request's Host, which a mode tcp backend does not have")
                }
                serverName = .requestHost
            }
        }
        var alpn = server.alpn
        if mode == .http, !alpn.isEmpty, alpn.contains(where: { $0 != "http/1.1" && $0 != "http/1.0" }) {
            configWarnings.append(ConfigWarning(location: server.location, keyword: "server",
                message: "server '\(server.name)': 'alpn \(alpn.joined(separator: ","))': the proxy speaks HTTP/1 to servers, so only http/1.1 is offered"))
            alpn = alpn.filter { $0 == "http/1.1" || $0 == "http/1.0" }
        }
        // `ssl-default-server-*`: the server line's own settings win.
        var minimum = TLSProtocolVersion.tls1_2
        var maximum: TLSProtocolVersion?
        var words = global.sslDefaultServerOptions[...]
        while let word = words.popFirst() {
            switch word {
            case "ssl-min-ver": if let value = words.popFirst().flatMap(TLSProtocolVersion.init(keyword:)) { minimum = value }
            case "ssl-max-ver": maximum = words.popFirst().flatMap(TLSProtocolVersion.init(keyword:))
            case "no-tlsv10": minimum = max(minimum, .tls1_1)
            case "no-tlsv11": minimum = max(minimum, .tls1_2)
            default: break  // no-sslv3 (never offered), no-tls-tickets (the proxy keeps no client sessions)
            }
        }
        var configuration = TLSClientConfiguration(
            verify: verify, caFile: server.caFile == "@system-ca" ? nil : server.caFile,
            minimumVersion: minimum, maximumVersion: maximum,
            alpn: alpn, ciphers: server.ciphers ?? global.sslDefaultServerCiphers, certificateFile: server.crt)
        configuration.ciphersuites = server.ciphersuites ?? global.sslDefaultServerCiphersuites
        configuration.crlFile = server.crlFile
        do {
            return (try TLSClientContext(configuration: configuration), serverName)
        } catch {
            throw ProxyError("\(what): \(error.message)")
        }
    }

    static func cookie(_ cookie: HAConfig.CookiePersistence) -> Proxy.CookiePersistence {
        var plan = Proxy.CookiePersistence(
            name: cookie.name,
            mode: cookie.mode == .insert ? .insert : cookie.mode == .prefix ? .prefix : .rewrite,
            indirect: cookie.indirect, nocache: cookie.nocache, preserve: cookie.preserve,
            httpOnly: cookie.httponly, secure: cookie.secure, domains: cookie.domains,
            maxIdleSeconds: cookie.maxidle.map { Int($0.components.seconds) },
            maxLifeSeconds: cookie.maxlife.map { Int($0.components.seconds) }
        )
        plan.postOnly = cookie.postonly
        plan.attributes = cookie.attributes
        return plan
    }

    static func check(_ check: HTTPCheck) throws -> HTTPCheckPlan {
        var expectation = HTTPCheckExpectation.statusClass2xx3xx
        if let expect = check.expect {
            switch expect.match {
            case .status(let text):
                var ranges: [ClosedRange<Int>] = []
                for part in text.split(separator: ",") {
                    let bounds = part.split(separator: "-")
                    guard let low = Int(bounds[0]), let high = Int(bounds.count > 1 ? bounds[1] : bounds[0]), low <= high else {
                        throw ProxyError("\(check.location): 'http-check expect status \(text)': not a status, list or range")
                    }
                    ranges.append(low...high)
                }
                expectation = .status(ranges)
            case .statusRegex(let pattern):
                expectation = .statusPattern(try RegexBox(pattern: pattern, ignoreCase: false))
            case .string(let text):
                expectation = .bodyContains(text)
            case .stringRegex(let pattern):
                expectation = .bodyPattern(try RegexBox(pattern: pattern, ignoreCase: false))
            }
            if expect.negated { expectation = .not(expectation) }
        }
        return HTTPCheckPlan(method: check.method, uri: check.uri, version: check.version,
                             headers: check.headers.map { HTTPField(name: $0.name, value: $0.value) }, expect: expectation)
    }

    static func requestRule(_ rule: HAConfig.HTTPRequestRule, acls: [ACL], scope: LogFormatScope) throws -> Proxy.HTTPRequestRule {
        let action: HTTPRequestAction
        func compiled(_ format: LogFormat) throws -> LogFormatString {
            try logFormat(format, scope: scope, location: rule.location)
        }
        switch rule.action {
        case .deny(let status): action = .deny(status: status)
        case .redirect(let kind, let value, let code, let options):
            let plan = RedirectOptions(dropQuery: options.dropQuery, appendSlash: options.appendSlash,
                                       // Spelt as HAProxy 2.6 sends them (seen in the differential test).
                                       cookie: options.setCookie.map { "\($0); path=/;" } ?? options.clearCookie.map { "\($0); path=/; Max-Age=0;" })
            switch kind {
            case .scheme: action = .redirectScheme(try compiled(value), code: code, options: plan)
            case .location: action = .redirectLocation(try compiled(value), code: code, options: plan)
            case .prefix: action = .redirectPrefix(try compiled(value), code: code, options: plan)
            }
        case .setHeader(let name, let value): action = .setHeader(name: name, value: try compiled(value))
        case .addHeader(let name, let value): action = .addHeader(name: name, value: try compiled(value))
        case .delHeader(let name): action = .deleteHeader(name: name)
        case .returnResponse(let answer):
            let body: LogFormatString
            switch answer.body {
            case .none: body = .literal("")
            case .string(let text): body = .literal(text)
            case .logFormat(let format): body = try compiled(format)
            case .file(let path):
                guard let text = readFile(path) else {
                    throw ProxyError("\(rule.location): 'http-request return ... file \(path)': cannot read the file")
                }
                body = .literal(text)
            }
            action = .returnResponse(ReturnPlan(status: answer.status, contentType: answer.contentType, body: body,
                                                headers: try answer.headers.map { HeaderRewrite(name: $0.name, value: try compiled($0.value)) }))
        case .allow: action = .allow
        case .setPath(let format): action = .setPath(try compiled(format))
        case .setQuery(let format): action = .setQuery(try compiled(format))
        case .replacePath(let pattern, let format):
            action = .replacePath(try regex(pattern, rule.location), try compiled(format))
        case .replaceHeader(let name, let pattern, let format):
            action = .replaceHeader(name: name, try regex(pattern, rule.location), try compiled(format))
        case .replaceValue(let name, let pattern, let format):
            action = .replaceValue(name: name, try regex(pattern, rule.location), try compiled(format))
        case .setVariable(let variable, let expression):
            guard let slot = scope.variables[variable] else { throw ProxyError("\(rule.location): no slot for variable '\(variable)'") }
            action = .setVariable(slot, try sampleExpression(expression, scope: scope, location: rule.location))
        case .tarpit(let status): action = .tarpit(status: status)
        case .useService: action = .prometheusExporter
        }
        var compiled = Proxy.HTTPRequestRule(action: action, condition: try condition(rule.condition, acls: acls))
        compiled.isRedirectKeyword = rule.isRedirectKeyword
        return compiled
    }

    static func responseRule(_ rule: HAConfig.HTTPResponseRule, acls: [ACL], scope: LogFormatScope) throws -> Proxy.HTTPResponseRule {
        func compiled(_ format: LogFormat) throws -> LogFormatString {
            try logFormat(format, scope: scope, location: rule.location)
        }
        let action: HTTPResponseAction
        switch rule.action {
        case .setHeader(let name, let value): action = .setHeader(name: name, value: try compiled(value))
        case .addHeader(let name, let value): action = .addHeader(name: name, value: try compiled(value))
        case .delHeader(let name): action = .deleteHeader(name: name)
        case .replaceHeader(let name, let pattern, let format):
            action = .replaceHeader(name: name, try regex(pattern, rule.location), try compiled(format))
        case .replaceValue(let name, let pattern, let format):
            action = .replaceValue(name: name, try regex(pattern, rule.location), try compiled(format))
        case .setStatus(let status, let reason): action = .setStatus(status, reason: reason)
        case .deny(let status): action = .deny(status: status)
        }
        return Proxy.HTTPResponseRule(action: action, condition: try condition(rule.condition, acls: acls))
    }

    static func regex(_ pattern: String, _ location: SourceLocation) throws -> RegexBox {
        do {
            return try RegexBox(pattern: pattern, ignoreCase: false)
        } catch let error as ProxyError {
            throw ProxyError("\(location): \(error.description)")
        }
    }

    /// `if`/`unless` with named ACLs resolved (several `acl` lines with one name are ORed, as in HAProxy).
    /// `stats ...` lines: the page's URI, realm, credentials, refresh and admin conditions.
    static func stats(_ page: StatsPage, acls: [ACL]) throws -> StatsPlan {
        StatsPlan(uri: page.uri, realm: page.realm, credentials: page.credentials.map { ($0.user, $0.password) },
                  refreshSeconds: page.refresh.map { max(1, Int($0.components.seconds)) },
                  admin: try page.adminConditions.map { try condition($0, acls: acls) }, hideVersion: page.hideVersion)
    }

    static func condition(_ condition: HAConfig.Condition?, acls: [ACL]) throws -> Proxy.Condition {
        guard let condition else { return .always }
        let alternatives = try condition.alternatives.map { terms in
            Proxy.Condition.all(try terms.map { term in
                let tested: Proxy.Condition
                switch term.acl {
                case .named(let name):
                    let lines = acls.filter { $0.name == name }
                    guard !lines.isEmpty else {
                        throw ProxyError("\(condition.location): no acl named '\(name)'")
                    }
                    tested = .any(try lines.map { .test(try aclTest($0)) })
                case .anonymous(let acl):
                    tested = .test(try aclTest(acl))
                }
                return term.negated ? .not(tested) : tested
            })
        }
        let combined = Proxy.Condition.any(alternatives)
        return condition.kind == .if ? combined : .not(combined)
    }

    static func aclTest(_ acl: ACL) throws -> ACLTest {
        let criterion: Proxy.ACLCriterion
        switch acl.criterion {
        case .path: criterion = .path
        case .pathBegins: criterion = .pathBeginning
        case .pathEnds: criterion = .pathEnd
        case .pathSubstring: criterion = .pathSubstring
        case .pathDirectory: criterion = .pathDirectory
        case .pathRegex: criterion = .pathReg
        case .url: criterion = .url
        case .urlBegins: criterion = .urlBeginning
        case .urlEnds: criterion = .urlEnd
        case .urlSubstring: criterion = .urlSubstring
        case .urlRegex: criterion = .urlReg
        case .urlParam(let name): criterion = .urlParameter(name)
        case .header(let name): criterion = .header(name)
        case .headerBegins(let name): criterion = .headerBeginning(name)
        case .headerEnds(let name): criterion = .headerEnd(name)
        case .headerSubstring(let name): criterion = .headerSubstring(name)
        case .headerRegex(let name): criterion = .headerRegex(name)
        case .headerDomain(let name): criterion = .headerDomain(name)
        case .method: criterion = .method
        case .source: criterion = .src
        case .sslFC: criterion = .sslFc
        case .alwaysTrue: criterion = .alwaysTrue
        case .alwaysFalse: criterion = .alwaysFalse
        case .destinationPort: criterion = .destinationPort
        case .sslSNI: criterion = .sslSNI
        case .sslProtocol: criterion = .sslProtocol
        case .sslCipher: criterion = .sslCipher
        case .sslClientUsed: criterion = .sslClientUsed
        case .sslClientVerify: criterion = .sslClientVerify
        case .sslClientSubjectDN: criterion = .sslClientSubjectDN
        case .sslClientIssuerDN: criterion = .sslClientIssuerDN
        case .sslALPN: criterion = .sslALPN
        case .headerCount(let name): criterion = .headerCount(name)
        case .status: criterion = .status
        case .responseHeader(let name): criterion = .responseHeader(name)
        case .base: criterion = .base
        case .baseBegins: criterion = .baseBeginning
        case .baseEnds: criterion = .baseEnd
        case .baseSubstring: criterion = .baseSubstring
        case .baseDirectory: criterion = .baseDirectory
        case .baseRegex: criterion = .baseReg
        case .headerFound(let name): criterion = .headerPresent(name)
        case .urlParamFound(let name): criterion = .urlParameterPresent(name)
        }
        do {
            return try ACLTest(criterion: criterion, values: acl.values, ignoreCase: acl.caseInsensitive)
        } catch let error as ProxyError {
            throw ProxyError("\(acl.location): \(error.description)")
        }
    }
}
