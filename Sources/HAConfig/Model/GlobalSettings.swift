public import HACore

/// HAProxy's `global` section together with keepalived's `global_defs` keys (in hactl.conf both
/// live in `global`).
public struct GlobalSettings: Sendable, Equatable, Hashable {
    // HAProxy `global`
    /// `maxconn`: the process-wide limit of concurrent connections.
    public var maxconn: Int?
    /// `nbthread`: the number of event loops.
    public var nbthread: Int?
    /// `log` lines.
    public var logTargets: [LogTarget]
    /// `log-send-hostname [NAME]`: the syslog header carries a host name: NAME, or the system's
    /// host name when `.some(nil)`; it also makes `rfc3164` the default format (instead of `local`).
    public var logSendHostname: String??
    /// `log-tag NAME`: the tag (program name) of syslog headers; HAProxy's default is its program name.
    public var logTag: String?
    /// `stats socket PATH [mode M] [level L]`: hactl's control socket.
    public var statsSocket: StatsSocket?
    /// `pidfile PATH`.
    public var pidfile: String?
    /// `user NAME` (the appliance decides whether to drop privileges).
    public var user: String?
    /// `group NAME`.
    public var group: String?
    /// `chroot DIR`.
    public var chroot: String?
    /// `daemon`: hactl always runs in the foreground under systemd; kept so imports round-trip.
    public var daemon: Bool
    /// `tune.bufsize`: per-connection buffer size in bytes (HAProxy default 16384).
    public var tuneBufsize: Int
    /// `tune.http.maxhdr`: the most header lines a message may have, its start line included
    /// (HAProxy default 101); a request over it gets 400, a response 502.
    public var tuneHTTPMaxhdr: Int
    /// `tune.ssl.default-dh-param`.
    public var sslDefaultDHParam: Int?
    /// `crt-base DIR`: relative `crt` paths are resolved against it (already applied to binds).
    public var crtBase: String?
    /// `ca-base DIR`.
    public var caBase: String?
    /// `ssl-server-verify none|required`: the `verify` of `server ... ssl` lines that set none
    /// (HAProxy's default: required).
    public var sslServerVerify: String?
    /// `ssl-default-bind-ciphers` (TLS 1.2 cipher list, OpenSSL syntax).
    public var sslDefaultBindCiphers: String?
    /// `ssl-default-bind-ciphersuites` (TLS 1.3).
    public var sslDefaultBindCiphersuites: String?
    /// `ssl-default-bind-options` (`ssl-min-ver TLSv1.2`, `no-tls-tickets`, ...), as written.
    public var sslDefaultBindOptions: [String]
    /// `ssl-default-server-ciphers`, `ssl-default-server-ciphersuites`, `ssl-default-server-options`:
    /// what `server ... ssl` lines use unless they set their own.
    public var sslDefaultServerCiphers: String?
    public var sslDefaultServerCiphersuites: String?
    public var sslDefaultServerOptions: [String] = []
    /// `stats timeout`: idle timeout of control-socket connections.
    public var statsTimeout: Duration?
    /// `localpeer NAME`: this node's name in the `peers` section (else found by its addresses).
    public var localPeer: String?

    // keepalived `global_defs`
    /// `notification_email` addresses.
    public var notificationEmail: [String]
    /// `notification_email_from`.
    public var notificationEmailFrom: String?
    /// `smtp_server HOST [PORT]`.
    public var smtpServer: String?
    /// `smtp_connect_timeout` (keepalived default 30 s).
    public var smtpConnectTimeout: Duration?
    /// `smtp_alert [on|off]` in `global_defs`: mail every instance's transitions and, as
    /// keepalived's checker does, server UP/DOWN and proxy liveness changes. Unset: off.
    public var smtpAlert: Bool?
    /// `router_id`.
    public var routerID: String?
    /// `vrrp_mcast_group4` (default 224.0.0.18).
    public var vrrpMcastGroup4: String?
    /// `vrrp_mcast_group6` (default ff02::12).
    public var vrrpMcastGroup6: String?
    /// `vrrp_version` (2 or 3, keepalived default 2).
    public var vrrpVersion: Int
    /// `enable_script_security`.
    public var enableScriptSecurity: Bool
    /// `script_user USER [GROUP]`.
    public var scriptUser: String?
    /// The group part of `script_user`.
    public var scriptGroup: String?
    /// `vrrp_garp_master_delay` (keepalived default 5 s), the default for every instance.
    public var vrrpGarpMasterDelay: Duration?
    /// `vrrp_garp_master_repeat` (keepalived default 5).
    public var vrrpGarpMasterRepeat: Int?

    public var location: SourceLocation

    public init(
        maxconn: Int? = nil,
        nbthread: Int? = nil,
        logTargets: [LogTarget] = [],
        statsSocket: StatsSocket? = nil,
        pidfile: String? = nil,
        user: String? = nil,
        group: String? = nil,
        chroot: String? = nil,
        daemon: Bool = false,
        tuneBufsize: Int = 16384,
        tuneHTTPMaxhdr: Int = 101,
        sslDefaultDHParam: Int? = nil,
        crtBase: String? = nil,
        caBase: String? = nil,
        sslDefaultBindCiphers: String? = nil,
        sslDefaultBindCiphersuites: String? = nil,
        sslDefaultBindOptions: [String] = [],
        statsTimeout: Duration? = nil,
        notificationEmail: [String] = [],
        notificationEmailFrom: String? = nil,
        smtpServer: String? = nil,
        smtpConnectTimeout: Duration? = nil,
        smtpAlert: Bool? = nil,
        routerID: String? = nil,
        vrrpMcastGroup4: String? = nil,
        vrrpMcastGroup6: String? = nil,
        vrrpVersion: Int = 2,
        enableScriptSecurity: Bool = false,
        scriptUser: String? = nil,
        scriptGroup: String? = nil,
        vrrpGarpMasterDelay: Duration? = nil,
        vrrpGarpMasterRepeat: Int? = nil,
        location: SourceLocation = .builtIn
    ) {
        self.maxconn = maxconn
        self.nbthread = nbthread
        self.logTargets = logTargets
        self.statsSocket = statsSocket
        self.pidfile = pidfile
        self.user = user
        self.group = group
        self.chroot = chroot
        self.daemon = daemon
        self.tuneBufsize = tuneBufsize
        self.tuneHTTPMaxhdr = tuneHTTPMaxhdr
        self.sslDefaultDHParam = sslDefaultDHParam
        self.crtBase = crtBase
        self.caBase = caBase
        self.sslDefaultBindCiphers = sslDefaultBindCiphers
        self.sslDefaultBindCiphersuites = sslDefaultBindCiphersuites
        self.sslDefaultBindOptions = sslDefaultBindOptions
        self.statsTimeout = statsTimeout
        self.notificationEmail = notificationEmail
        self.notificationEmailFrom = notificationEmailFrom
        self.smtpServer = smtpServer
        self.smtpConnectTimeout = smtpConnectTimeout
        self.smtpAlert = smtpAlert
        self.routerID = routerID
        self.vrrpMcastGroup4 = vrrpMcastGroup4
        self.vrrpMcastGroup6 = vrrpMcastGroup6
        self.vrrpVersion = vrrpVersion
        self.enableScriptSecurity = enableScriptSecurity
        self.scriptUser = scriptUser
        self.scriptGroup = scriptGroup
        self.vrrpGarpMasterDelay = vrrpGarpMasterDelay
        self.vrrpGarpMasterRepeat = vrrpGarpMasterRepeat
        self.location = location
    }
}

/// HAProxy `log TARGET [len N] [format F] FACILITY [LEVEL [MINLEVEL]]`.
///
/// `address` is `stdout`, `stderr`, a unix socket path (`/dev/log`) or `host[:port]` (UDP syslog).
public struct LogTarget: Sendable, Equatable, Hashable {
    public var address: String
    /// `len N` (80...65535): the longest datagram sent, newline included; HAProxy's default is 1024.
    public var length: Int?
    /// `format F`: `local` (the default), `rfc3164`, `rfc5424`, `priority`, `short`, `timed`, `iso`, `raw`.
    public var format: String?
    public var facility: String
    /// The least severe level sent (`info` sends emerg .. info); nil sends every level.
    public var level: String?
    /// Messages more severe than this are sent with this level instead.
    public var minimumLevel: String?
    public var location: SourceLocation

    public init(address: String, length: Int? = nil, format: String? = nil, facility: String, level: String? = nil, minimumLevel: String? = nil,
                location: SourceLocation = .builtIn) {
        self.address = address
        self.length = length
        self.format = format
        self.facility = facility
        self.level = level
        self.minimumLevel = minimumLevel
        self.location = location
    }
}

/// HAProxy `stats socket PATH [mode OCTAL] [level user|operator|admin] [user NAME] [group NAME]`:
/// in hactl, the control socket.
public struct StatsSocket: Sendable, Equatable, Hashable {
    public var path: String
    /// Permission bits (`mode 600` is stored as 0o600).
    public var mode: Int?
    public var level: String?
    /// `user NAME`: owner of the socket file.
    public var user: String?
    /// `group NAME`: group of the socket file.
    public var group: String?
    public var location: SourceLocation

    public init(path: String, mode: Int? = nil, level: String? = nil, user: String? = nil, group: String? = nil, location: SourceLocation = .builtIn) {
        self.path = path
        self.mode = mode
        self.level = level
        self.user = user
        self.group = group
        self.location = location
    }
}
