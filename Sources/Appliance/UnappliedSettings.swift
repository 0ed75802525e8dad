import HAConfig

/// HAProxy `global` keys that `hactl run` reads but does not act on, each with the reason,
/// logged once at start so none is skipped silently (a haproxy.cfg from a seed carries
/// `daemon`, `user`, `group` and `chroot` as a matter of course). `stats socket` is hactl's
/// control socket (`ControlServer`).
enum UnappliedSettings {
    static func notices(for global: GlobalSettings) -> [(keyword: String, message: String)] {
        var notices: [(String, String)] = []
        if global.daemon {
            notices.append(("daemon", "hactl always stays in the foreground for systemd (Type=notify); `daemon` has no effect"))
        }
        if global.user != nil || global.group != nil {
            notices.append(("user/group", "hactl keeps its privileges: VRRP needs raw sockets and netlink in the same process as the proxy"))
        }
        if global.chroot != nil {
            notices.append(("chroot", "hactl does not chroot: notify scripts and reloads need the whole file system"))
        }
        return notices
    }
}
