import HACore

extension Configuration {
    /// The same configuration with every `SourceLocation` replaced by `.builtIn`: compare two
    /// of these to learn whether a reload changes anything but line numbers.
    public func withoutLocations() -> Configuration {
        var copy = self
        copy.warnings = []
        copy.global.location = .builtIn
        copy.global.logTargets = global.logTargets.map { $0.erased() }
        if var socket = copy.global.statsSocket {
            socket.location = .builtIn
            copy.global.statsSocket = socket
        }
        copy.frontends = frontends.map { frontend in
            var f = frontend
            f.location = .builtIn
            f.defaultBackendLocation = nil
            f.binds = f.binds.map { var b = $0; b.location = .builtIn; return b }
            f.acls = f.acls.map { $0.erased() }
            f.useBackends = f.useBackends.map { var r = $0; r.location = .builtIn; r.condition = r.condition?.erased(); return r }
            f.httpRequestRules = f.httpRequestRules.map { $0.erased() }
            f.httpResponseRules = f.httpResponseRules.map { $0.erased() }
            f.httpAfterResponseRules = f.httpAfterResponseRules.map { $0.erased() }
            f.monitorFail = f.monitorFail.map { $0.erased() }
            if var stats = f.stats { stats.location = .builtIn; stats.adminConditions = stats.adminConditions.map { $0.erased() }; f.stats = stats }
            f.captures = f.captures.map { var c = $0; c.location = .builtIn; return c }
            f.logTargets = f.logTargets.map { $0.erased() }
            return f
        }
        copy.backends = backends.map { backend in
            var b = backend
            b.location = .builtIn
            b.servers = b.servers.map { var s = $0; s.location = .builtIn; return s }
            if var cookie = b.cookie { cookie.location = .builtIn; b.cookie = cookie }
            if var check = b.healthCheck { check.location = .builtIn; b.healthCheck = check }
            b.acls = b.acls.map { $0.erased() }
            b.httpRequestRules = b.httpRequestRules.map { $0.erased() }
            b.httpResponseRules = b.httpResponseRules.map { $0.erased() }
            b.httpAfterResponseRules = b.httpAfterResponseRules.map { $0.erased() }
            b.logTargets = b.logTargets.map { $0.erased() }
            if var stats = b.stats { stats.location = .builtIn; stats.adminConditions = stats.adminConditions.map { $0.erased() }; b.stats = stats }
            if var table = b.stickTable { table.location = .builtIn; b.stickTable = table }
            b.stickRules = b.stickRules.map { var r = $0; r.location = .builtIn; r.pattern.location = .builtIn; r.condition = r.condition?.erased(); return r }
            return b
        }
        copy.vrrpInstances = vrrpInstances.map { instance in
            var i = instance
            i.location = .builtIn
            i.keywordLocations = [:]
            i.virtualIPAddresses = i.virtualIPAddresses.map { var a = $0; a.location = .builtIn; return a }
            i.excludedVirtualIPAddresses = i.excludedVirtualIPAddresses.map { var a = $0; a.location = .builtIn; return a }
            i.trackScripts = i.trackScripts.map { var t = $0; t.location = .builtIn; return t }
            i.trackInterfaces = i.trackInterfaces.map { var t = $0; t.location = .builtIn; return t }
            i.trackFiles = i.trackFiles.map { var t = $0; t.location = .builtIn; return t }
            i.witness?.location = .builtIn
            return i
        }
        copy.vrrpSyncGroups = vrrpSyncGroups.map { var g = $0; g.location = .builtIn; return g }
        copy.vrrpScripts = vrrpScripts.map { var s = $0; s.location = .builtIn; return s }
        copy.vrrpTrackFiles = vrrpTrackFiles.map { var t = $0; t.location = .builtIn; return t }
        if var section = peers {
            section.location = .builtIn
            section.peers = section.peers.map { var p = $0; p.location = .builtIn; return p }
            copy.peers = section
        }
        return copy
    }
}

extension LogTarget {
    func erased() -> LogTarget { var copy = self; copy.location = .builtIn; return copy }
}

extension ACL {
    func erased() -> ACL { var copy = self; copy.location = .builtIn; return copy }
}

extension Condition {
    func erased() -> Condition {
        var copy = self
        copy.location = .builtIn
        copy.alternatives = alternatives.map { terms in
            terms.map { term in
                var t = term
                t.location = .builtIn
                if case .anonymous(let acl) = term.acl { t.acl = .anonymous(acl.erased()) }
                return t
            }
        }
        return copy
    }
}

extension HTTPRequestRule {
    func erased() -> HTTPRequestRule {
        var copy = self
        copy.location = .builtIn
        copy.condition = condition?.erased()
        return copy
    }
}

extension HTTPResponseRule {
    func erased() -> HTTPResponseRule {
        var copy = self
        copy.location = .builtIn
        copy.condition = condition?.erased()
        return copy
    }
}
