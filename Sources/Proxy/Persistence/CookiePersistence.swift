/// HAProxy `cookie NAME insert|prefix|rewrite [indirect] [nocache] [preserve] [httponly] [secure]
/// [domain D] [maxidle T] [maxlife T]` with each server's `cookie VALUE`.
package struct CookiePersistence: Sendable, Hashable {
    package enum Mode: Sendable, Hashable { case insert, prefix, rewrite }

    package var name: String
    package var mode: Mode
    package var indirect: Bool
    package var nocache: Bool
    package var preserve: Bool
    package var httpOnly: Bool
    package var secure: Bool
    package var domains: [String]
    package var maxIdleSeconds: Int?
    package var maxLifeSeconds: Int?
    /// `postonly`: insert the cookie only in responses to POST.
    package var postOnly = false
    /// `attr VALUE`...: appended, in order, to an inserted cookie after `Secure`.
    package var attributes: [String] = []

    package init(name: String, mode: Mode, indirect: Bool = false, nocache: Bool = false, preserve: Bool = false,
                httpOnly: Bool = false, secure: Bool = false, domains: [String] = [],
                maxIdleSeconds: Int? = nil, maxLifeSeconds: Int? = nil) {
        self.name = name
        self.mode = mode
        self.indirect = indirect
        self.nocache = nocache
        self.preserve = preserve
        self.httpOnly = httpOnly
        self.secure = secure
        self.domains = domains
        self.maxIdleSeconds = maxIdleSeconds
        self.maxLifeSeconds = maxLifeSeconds
    }
}

/// The sticky-cookie logic for one backend, pure over header fields.
///
/// Immutable and shared by reference: the session reads its backend's on every request, and a
/// value would retain and release each of its strings and arrays there (issue 12).
package final class StickyCookie: Sendable {
    package let persistence: CookiePersistence
    /// Each server's `cookie VALUE` (nil: the server takes no persistent traffic by cookie).
    package let serverValues: [String?]

    /// Each server's whole `Set-Cookie` value for `insert` without dates, made once: the same
    /// text goes out on every response that needs it.
    private let insertedCookies: [String?]

    package init(persistence: CookiePersistence, serverValues: [String?]) {
        self.persistence = persistence
        self.serverValues = serverValues
        let dated = persistence.maxIdleSeconds != nil || persistence.maxLifeSeconds != nil
        self.insertedCookies = serverValues.map { value in
            guard let value, persistence.mode == .insert, !dated else { return nil }
            return Self.insertedCookie(persistence, value: value)
        }
    }

    /// The `Set-Cookie` value `insert` sends for a server whose cookie value is `value`.
    private static func insertedCookie(_ persistence: CookiePersistence, value: String) -> String {
        var cookie = "\(persistence.name)=\(value); path=/"
        for domain in persistence.domains { cookie += "; domain=\(domain)" }
        if persistence.httpOnly { cookie += "; HttpOnly" }
        if persistence.secure { cookie += "; Secure" }
        for attribute in persistence.attributes { cookie += "; \(attribute)" }
        return cookie
    }

    /// Finds the server the request's cookie designates and rewrites the Cookie header for the
    /// server (`prefix` strips `SRV~`, `insert indirect` removes the cookie).
    /// - Returns: the designated server index, or nil.
    package func inspectRequest(_ fields: inout HTTPFields, now: Int = 0) -> Int? {
        inspectRequestDated(&fields, now: now)?.server
    }

    /// As `inspectRequest`, also returning the first-seen date of a `maxlife` cookie.
    /// A cookie older than `maxidle` since last seen, or `maxlife` since first seen, designates nothing.
    package func inspectRequestDated(_ fields: inout HTTPFields, now: Int) -> (server: Int, firstSeen: Int?)? {
        // Most requests carry no cookie at all: nothing to read, nothing to rebuild.
        guard fields.contains(.cookie) else { return nil }
        var designated: Int?
        var firstSeen: Int?
        var changed = false
        // Each Cookie line's pairs as they will be forwarded (nil: none left, the line goes).
        var rewritten: [(line: Int, value: String?)] = []
        for line in 0..<fields.count where fields.known(at: line) == .cookie {
            var kept: [Substring] = []
            for pair in fields.value(at: line).split(separator: ";") {
                let trimmed = pair.trimmingOWS()
                guard let eq = trimmed.firstIndex(of: "="), trimmed[..<eq].trimmingOWS() == persistence.name else {
                    kept.append(trimmed)
                    continue
                }
                let value = trimmed[trimmed.index(after: eq)...].trimmingOWS()
                switch persistence.mode {
                case .insert, .rewrite:
                    // maxidle/maxlife append `|last-seen|first-seen`; the server part is before the first `|`.
                    let parts = value.split(separator: "|", omittingEmptySubsequences: false)
                    let server = parts.first ?? ""
                    let lastSeen = parts.count > 1 ? Int(parts[1], radix: 32) : nil
                    let first = parts.count > 2 ? Int(parts[2], radix: 32) : nil
                    var expired = false
                    if let maxIdle = persistence.maxIdleSeconds, let lastSeen, now - lastSeen > maxIdle { expired = true }
                    if let maxLife = persistence.maxLifeSeconds, let first, now - first > maxLife { expired = true }
                    if designated == nil, !expired {
                        designated = serverIndex(for: server)
                        firstSeen = first
                    }
                    if persistence.mode == .insert && persistence.indirect {
                        changed = true
                    } else {
                        kept.append(trimmed)
                    }
                case .prefix:
                    if let tilde = value.firstIndex(of: "~") {
                        if designated == nil { designated = serverIndex(for: value[..<tilde]) }
                        kept.append("\(persistence.name)=\(value[value.index(after: tilde)...])")
                        changed = true
                    } else {
                        kept.append(trimmed)
                    }
                }
            }
            rewritten.append((line, kept.isEmpty ? nil : kept.joined(separator: "; ")))
        }
        if changed {
            for (line, value) in rewritten.reversed() {
                if let value { fields.setValue(value, at: line) } else { fields.remove(at: line) }
            }
        }
        return designated.map { ($0, firstSeen) }
    }

    private var dated: Bool { persistence.maxIdleSeconds != nil || persistence.maxLifeSeconds != nil }

    /// Whether the cookie carries dates (`maxidle`, `maxlife`): only then does `now` matter.
    package var readsClock: Bool { dated }

    /// Adapts the response's Set-Cookie fields for the server that answered.
    /// - Parameters:
    ///   - server: the server that produced the response.
    ///   - clientHadValidCookie: the request designated this same server.
    package func adaptResponse(_ fields: inout HTTPFields, server: Int, clientHadValidCookie: Bool, method: String = "GET",
                               firstSeen: Int? = nil, now: Int = 0) {
        guard let value = serverValues[server] else { return }
        switch persistence.mode {
        case .insert:
            if persistence.postOnly && method != "POST" { return }
            let name = persistence.name
            let ownCookie = { (fields: HTTPFields, i: Int) in fields.known(at: i) == .setCookie && Self.cookieName(of: fields.value(at: i)) == name }
            let serverSetsOwn = (0..<fields.count).contains { ownCookie(fields, $0) }
            if serverSetsOwn && persistence.preserve { return }
            if serverSetsOwn { fields.removeAll(where: ownCookie) }
            // A `maxidle` cookie is re-issued on every response to move its last-seen date.
            if clientHadValidCookie && persistence.maxIdleSeconds == nil { return }
            if let cookie = insertedCookies[server] {
                fields.add("Set-Cookie", cookie)
            } else {
                let dates = "|" + String(now, radix: 32) + "|" + String(clientHadValidCookie ? (firstSeen ?? now) : now, radix: 32)
                fields.add("Set-Cookie", Self.insertedCookie(persistence, value: value + dates))
            }
            if persistence.nocache { Self.keepOutOfSharedCaches(&fields) }
        case .prefix, .rewrite:
            for i in 0..<fields.count where fields.known(at: i) == .setCookie {
                let text = fields.value(at: i)
                guard Self.cookieName(of: text) == persistence.name, let eq = text.firstIndex(of: "=") else { continue }
                let rest = text[text.index(after: eq)...]
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                let attributes = rest[end...]
                let newValue = persistence.mode == .prefix ? "\(value)~\(rest[..<end])" : value
                fields.setValue("\(persistence.name)=\(newValue)\(attributes)", at: i)
                if persistence.nocache { Self.keepOutOfSharedCaches(&fields) }
            }
        }
    }

    /// `nocache`: a response carrying a server-designating cookie must not be stored by a shared
    /// cache and replayed to other clients. The server's own Cache-Control is kept as it is (a
    /// `no-store` must stay `no-store`); `Cache-Control: private` is added on a line of its own
    /// unless the response already keeps out of shared caches (`private`, `no-cache`, `no-store`,
    /// or `Pragma: no-cache` without Cache-Control; RFC 9111 §5.2.2, §5.4).
    static func keepOutOfSharedCaches(_ fields: inout HTTPFields) {
        var shareable = true
        var hasCacheControl = false
        fields.forEachListElement(.cacheControl) { directive in
            hasCacheControl = true
            let name = directive.prefix { $0 != "=" }.trimmingOWS()
            if name.equalsIgnoringASCIICase("private") || name.equalsIgnoringASCIICase("no-cache")
                || name.equalsIgnoringASCIICase("no-store") {
                shareable = false
            }
        }
        if !hasCacheControl {
            fields.forEachListElement(.pragma) { if $0.equalsIgnoringASCIICase("no-cache") { shareable = false } }
        }
        if shareable { fields.add("Cache-Control", "private") }
    }

    private func serverIndex(for value: Substring) -> Int? {
        serverValues.firstIndex { $0.map { Substring($0) == value } ?? false }
    }

    static func cookieName(of setCookie: String) -> Substring {
        let name = setCookie.prefix { $0 != "=" && $0 != ";" }
        return name.trimmingOWS()
    }
}
