import HACore

/// Combines the configurations of several files (keepalived.conf + haproxy.cfg, or split
/// hactl.conf files) into one. Lists are concatenated; a global setting set in a later file wins
/// over an earlier one, as when HAProxy reads several `-f` files.
enum ConfigurationMerger {
    static func merge(_ configurations: [Configuration]) -> Configuration {
        guard var merged = configurations.first else { return Configuration() }
        for next in configurations.dropFirst() {
            merged.global = merge(merged.global, next.global)
            merged.frontends += next.frontends
            merged.backends += next.backends
            merged.vrrpInstances += next.vrrpInstances
            merged.vrrpSyncGroups += next.vrrpSyncGroups
            merged.vrrpScripts += next.vrrpScripts
            merged.vrrpTrackFiles += next.vrrpTrackFiles
            merged.peers = next.peers ?? merged.peers
        }
        return merged
    }

    private static func merge(_ a: GlobalSettings, _ b: GlobalSettings) -> GlobalSettings {
        let defaults = GlobalSettings()
        var result = a
        func take<T: Equatable>(_ keyPath: WritableKeyPath<GlobalSettings, T>) {
            if b[keyPath: keyPath] != defaults[keyPath: keyPath] { result[keyPath: keyPath] = b[keyPath: keyPath] }
        }
        take(\.maxconn); take(\.nbthread); take(\.statsSocket); take(\.pidfile); take(\.user); take(\.group)
        take(\.chroot); take(\.daemon); take(\.tuneBufsize); take(\.tuneHTTPMaxhdr); take(\.sslDefaultDHParam); take(\.crtBase); take(\.caBase); take(\.sslServerVerify)
        take(\.sslDefaultBindCiphers); take(\.sslDefaultBindCiphersuites); take(\.sslDefaultBindOptions); take(\.sslDefaultServerCiphers); take(\.sslDefaultServerCiphersuites); take(\.sslDefaultServerOptions); take(\.statsTimeout); take(\.localPeer)
        take(\.notificationEmailFrom); take(\.smtpServer); take(\.smtpConnectTimeout); take(\.smtpAlert); take(\.routerID)
        take(\.vrrpMcastGroup4); take(\.vrrpMcastGroup6); take(\.vrrpVersion); take(\.enableScriptSecurity)
        take(\.scriptUser); take(\.scriptGroup); take(\.vrrpGarpMasterDelay); take(\.vrrpGarpMasterRepeat)
        result.logTargets += b.logTargets
        result.notificationEmail += b.notificationEmail
        if result.location == .builtIn { result.location = b.location }
        return result
    }
}
