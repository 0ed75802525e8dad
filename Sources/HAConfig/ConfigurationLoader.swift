import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HACore

/// Reads configuration files into one validated `Configuration`: hactl.conf, haproxy.cfg and
/// keepalived.conf, each recognised by its dialect (CONFIG.md "Importing").
public enum ConfigurationLoader {
    /// The three input languages.
    public enum Dialect: String, Sendable, Equatable, CaseIterable {
        /// hactl.conf: HAProxy's syntax with keepalived's VRRP sections, one item per line.
        case hactl
        /// haproxy.cfg: the same syntax without VRRP sections.
        case haproxy
        /// keepalived.conf: keepalived's brace syntax.
        case keepalived
    }

    /// Reads every file, merges them and validates the result; throws every error found.
    ///
    /// - Parameters:
    ///   - dialects: one per file; `nil` (or a `nil` entry) means recognise the file's dialect.
    ///   - environment: the variables `"${NAME}"` expands to; `nil` means the process's.
    public static func load(files: [String], dialects: [Dialect?]? = nil, environment: [String: String]? = nil) throws(ConfigErrors) -> Configuration {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var sources: [(file: String, text: String)] = []
        var errors: [ConfigError] = []
        for file in files {
            switch readFile(file) {
            case .success(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    errors.append(ConfigError(location: SourceLocation(file: file, line: 0, column: 0), keyword: file, message: "is not UTF-8 text"))
                    continue
                }
                sources.append((file, text))
            case .failure(let reason):
                errors.append(ConfigError(location: SourceLocation(file: file, line: 0, column: 0), keyword: file,
                                          message: "cannot read the file: \(reason.message)"))
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return try load(sources: sources, dialects: dialects, environment: environment)
    }

    struct ReadFailure: Error {
        var message: String
    }

    /// The whole file, or why it cannot be read (the system's words: "No such file or directory").
    static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        guard let file = fopen(path, "rb") else { return .failure(ReadFailure(message: String(cString: strerror(errno)))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count {
                if ferror(file) != 0 { return .failure(ReadFailure(message: String(cString: strerror(errno)))) }
                return .success(bytes)
            }
        }
    }

    /// Parses and validates one text. `dialect` `nil` means recognise it.
    public static func parse(text: String, file: String, dialect: Dialect? = nil, environment: [String: String] = [:]) throws(ConfigErrors) -> Configuration {
        try load(sources: [(file, text)], dialects: [dialect], environment: environment)
    }

    /// Parses several (file, text) pairs into one validated configuration.
    public static func load(sources: [(file: String, text: String)], dialects: [Dialect?]? = nil, environment: [String: String] = [:]) throws(ConfigErrors) -> Configuration {
        let diagnostics = Diagnostics()
        var parsed: [Configuration] = []
        for (index, var source) in sources.enumerated() {
            // A byte-order mark some editors write is not part of the first keyword.
            if source.text.hasPrefix("\u{FEFF}") { source.text.removeFirst() }
            let given = dialects.flatMap { index < $0.count ? $0[index] : nil }
            let dialect = given ?? detectDialect(of: source.text)
            parsed.append(parseUnvalidated(text: source.text, file: source.file, dialect: dialect, environment: environment, diagnostics: diagnostics))
        }
        var configuration = ConfigurationMerger.merge(parsed)
        applyGlobalVRRPDefaults(&configuration)
        ConfigurationValidator(diagnostics: diagnostics).validate(configuration)
        guard diagnostics.errors.isEmpty else {
            let order = Dictionary(sources.enumerated().map { ($0.element.file, $0.offset) }, uniquingKeysWith: { first, _ in first })
            let sorted = diagnostics.errors.enumerated().sorted { a, b in
                let (x, y) = (a.element.location, b.element.location)
                let (fx, fy) = (order[x.file] ?? Int.max, order[y.file] ?? Int.max)
                if fx != fy { return fx < fy }
                if x.line != y.line { return x.line < y.line }
                if x.column != y.column { return x.column < y.column }
                return a.offset < b.offset
            }.map(\.element)
            throw ConfigErrors(sorted)
        }
        configuration.warnings = diagnostics.warnings
        return configuration
    }

    /// keepalived.conf if the text uses blocks (`global_defs {`, `vrrp_instance X {`), else hactl.conf.
    public static func detectDialect(of text: String) -> Dialect {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .split(separator: "!", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = words.first else { continue }
            if KeepalivedDocumentParser.sections.contains(String(first)) || first.hasSuffix("{") {
                if content.contains("{") { return .keepalived }
            }
        }
        return .hactl
    }

    static func parseUnvalidated(text: String, file: String, dialect: Dialect, environment: [String: String], diagnostics: Diagnostics) -> Configuration {
        switch dialect {
        case .keepalived:
            let (statements, errors) = KeepalivedLexer(file: file).statements(of: text)
            diagnostics.append(contentsOf: errors)
            return KeepalivedDocumentParser(diagnostics: diagnostics).parse(statements)
        case .hactl, .haproxy:
            let (statements, errors) = LineLexer(file: file, environment: environment).statements(of: text)
            diagnostics.append(contentsOf: errors)
            return SectionedDocumentParser(diagnostics: diagnostics, allowsVRRP: dialect == .hactl).parse(statements)
        }
    }

    /// keepalived's `vrrp_garp_master_*` in `global_defs` are the instances' defaults, and an
    /// IPv6 instance without `version` speaks VRRPv3 whatever `vrrp_version` says (keepalived.conf(5):
    /// "IPv6 instances will always use version 3"): both are written into each instance.
    private static func applyGlobalVRRPDefaults(_ configuration: inout Configuration) {
        let standard = VRRPInstanceConfig(name: "", interface: "", virtualRouterID: 1)
        for index in configuration.vrrpInstances.indices {
            let instance = configuration.vrrpInstances[index]
            if instance.version == nil, instance.isIPv6, configuration.global.vrrpVersion == 2,
               instance.virtualIPAddresses.allSatisfy(\.isIPv6) {
                configuration.vrrpInstances[index].version = 3
            }
            if let delay = configuration.global.vrrpGarpMasterDelay, configuration.vrrpInstances[index].garpMasterDelay == standard.garpMasterDelay {
                configuration.vrrpInstances[index].garpMasterDelay = delay
            }
            if let repeatCount = configuration.global.vrrpGarpMasterRepeat, configuration.vrrpInstances[index].garpMasterRepeat == standard.garpMasterRepeat {
                configuration.vrrpInstances[index].garpMasterRepeat = repeatCount
            }
        }
    }
}
