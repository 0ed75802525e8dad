import Foundation
import HACore
@testable import HAConfig
import Testing

/// Test helpers: fixture access and location erasure for round-trip comparisons.
enum Fixture {
    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    static var all: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()) ?? []
    }

    /// The DR-mode files: LVS direct routing, which hactl refuses by design.
    static var refused: [String] { all.filter { $0.contains("dr-") } }
    static var accepted: [String] { all.filter { !$0.contains("dr-") } }
}

/// Parses `text` as hactl.conf (or the given dialect) and returns the errors, one per line.
func errors(of text: String, dialect: ConfigurationLoader.Dialect? = nil, environment: [String: String] = [:]) -> [ConfigError] {
    do {
        _ = try ConfigurationLoader.parse(text: text, file: "t.conf", dialect: dialect, environment: environment)
        return []
    } catch {
        return error.errors
    }
}

extension HACore.SourceLocation {
    static let erased = HACore.SourceLocation.builtIn
}

extension Configuration {
    /// The same configuration with every `SourceLocation` replaced by `.builtIn`.
    func withoutLocations() -> Configuration {
        var copy = self
        copy.global.location = HACore.SourceLocation.erased
        copy.global.logTargets = global.logTargets.map { $0.erased() }
        if var socket = copy.global.statsSocket {
            socket.location = HACore.SourceLocation.erased
            copy.global.statsSocket = socket
        }
        copy.frontends = frontends.map { frontend in
            var f = frontend
            f.location = HACore.SourceLocation.erased
            f.defaultBackendLocation = nil
            f.binds = f.binds.map { var b = $0; b.location = HACore.SourceLocation.erased; return b }
            f.acls = f.acls.map { $0.erased() }
            f.useBackends = f.useBackends.map { var r = $0; r.location = HACore.SourceLocation.erased; r.condition = r.condition?.erased(); return r }
            f.httpRequestRules = f.httpRequestRules.map { $0.erased() }
            f.logTargets = f.logTargets.map { $0.erased() }
            return f
        }
        copy.backends = backends.map { backend in
            var b = backend
            b.location = HACore.SourceLocation.erased
            b.servers = b.servers.map { var s = $0; s.location = HACore.SourceLocation.erased; return s }
            if var cookie = b.cookie { cookie.location = HACore.SourceLocation.erased; b.cookie = cookie }
            if var check = b.healthCheck { check.location = HACore.SourceLocation.erased; b.healthCheck = check }
            b.acls = b.acls.map { $0.erased() }
            b.httpRequestRules = b.httpRequestRules.map { $0.erased() }
            b.logTargets = b.logTargets.map { $0.erased() }
            return b
        }
        copy.vrrpInstances = vrrpInstances.map { instance in
            var i = instance
            i.location = HACore.SourceLocation.erased
            i.virtualIPAddresses = i.virtualIPAddresses.map { var a = $0; a.location = HACore.SourceLocation.erased; return a }
            i.excludedVirtualIPAddresses = i.excludedVirtualIPAddresses.map { var a = $0; a.location = HACore.SourceLocation.erased; return a }
            i.trackScripts = i.trackScripts.map { var t = $0; t.location = HACore.SourceLocation.erased; return t }
            i.trackInterfaces = i.trackInterfaces.map { var t = $0; t.location = HACore.SourceLocation.erased; return t }
            i.trackFiles = i.trackFiles.map { var t = $0; t.location = HACore.SourceLocation.erased; return t }
            return i
        }
        copy.vrrpSyncGroups = vrrpSyncGroups.map { var g = $0; g.location = HACore.SourceLocation.erased; return g }
        copy.vrrpScripts = vrrpScripts.map { var s = $0; s.location = HACore.SourceLocation.erased; return s }
        copy.vrrpTrackFiles = vrrpTrackFiles.map { var t = $0; t.location = HACore.SourceLocation.erased; return t }
        return copy
    }
}

extension LogTarget {
    func erased() -> LogTarget { var copy = self; copy.location = HACore.SourceLocation.erased; return copy }
}

extension ACL {
    func erased() -> ACL { var copy = self; copy.location = HACore.SourceLocation.erased; return copy }
}

extension Condition {
    func erased() -> Condition {
        var copy = self
        copy.location = HACore.SourceLocation.erased
        copy.alternatives = alternatives.map { terms in
            terms.map { term in
                var t = term
                t.location = HACore.SourceLocation.erased
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
        copy.location = HACore.SourceLocation.erased
        copy.condition = condition?.erased()
        return copy
    }
}
