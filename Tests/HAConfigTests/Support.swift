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

extension Array where Element == VRRPInstanceConfig {
    func withoutLocations() -> [VRRPInstanceConfig] {
        Configuration(vrrpInstances: self).withoutLocations().vrrpInstances
    }
}
