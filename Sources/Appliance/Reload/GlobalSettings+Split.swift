import HAConfig

/// hactl.conf's `global` holds HAProxy's `global` and keepalived's `global_defs` keys together;
/// a reload applies the first to the proxy and needs a restart for the second, so the diff
/// compares them apart.
extension GlobalSettings {
    /// `self` with keepalived's `global_defs` keys taken from `other`.
    func withVRRPSettings(of other: GlobalSettings) -> GlobalSettings {
        var copy = self
        copy.notificationEmail = other.notificationEmail
        copy.notificationEmailFrom = other.notificationEmailFrom
        copy.smtpServer = other.smtpServer
        copy.smtpConnectTimeout = other.smtpConnectTimeout
        copy.smtpAlert = other.smtpAlert
        copy.routerID = other.routerID
        copy.vrrpMcastGroup4 = other.vrrpMcastGroup4
        copy.vrrpMcastGroup6 = other.vrrpMcastGroup6
        copy.vrrpVersion = other.vrrpVersion
        copy.enableScriptSecurity = other.enableScriptSecurity
        copy.scriptUser = other.scriptUser
        copy.scriptGroup = other.scriptGroup
        copy.vrrpGarpMasterDelay = other.vrrpGarpMasterDelay
        copy.vrrpGarpMasterRepeat = other.vrrpGarpMasterRepeat
        copy.location = other.location
        return copy
    }

    /// Whether HAProxy's `global` keys differ (keepalived's, `localpeer` and the location
    /// ignored: `localpeer` belongs to the peer link, compared with the `peers` section).
    func proxySettingsDiffer(from other: GlobalSettings) -> Bool {
        var mine = withVRRPSettings(of: other)
        mine.localPeer = other.localPeer
        return mine != other
    }

    /// Whether keepalived's `global_defs` keys differ (HAProxy's and the location ignored).
    func vrrpSettingsDiffer(from other: GlobalSettings) -> Bool {
        other.withVRRPSettings(of: self) != other
    }
}
