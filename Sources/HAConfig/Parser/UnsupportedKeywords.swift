/// Keywords of HAProxy and keepalived that hactl knows but does not implement. Using one is an
/// error that says so (CONFIG.md "Errors"), never a silent skip and never "unknown keyword".
enum UnsupportedKeywords {
    /// Where a keyword came from, for the message.
    enum Origin: String {
        case haproxy = "an HAProxy"
        case keepalived = "a keepalived"
    }

    /// The message for `keyword`, with the reason when there is one worth telling.
    static func message(_ keyword: String, origin: Origin, reason: String? = nil) -> String {
        var text = "`\(keyword)` is \(origin.rawValue) keyword hactl does not support"
        if let reason { text += " (\(reason))" }
        return text
    }

    /// HAProxy sections hactl does not read.
    static let haproxySections: [String: String?] = [
        "resolvers": "server names are resolved once at start",
        "userlist": nil, "cache": nil, "program": "run it as its own systemd unit", "http-errors": "use errorfile",
        "ring": nil, "mailers": "use notification_email in global", "fcgi-app": nil, "namespace_list": nil,
        "backend-defaults": nil, "crt-store": nil,
    ]

    /// keepalived top-level sections hactl does not read.
    static let keepalivedSections: [String: String?] = [
        "static_ipaddress": "configure static addresses with the system's network tools",
        "static_routes": "configure static routes with the system's network tools",
        "static_rules": nil, "virtual_server_group": nil, "vrrp_track_process": "use a vrrp_script",
        "linkbeat_interfaces": nil, "include": "pass each file with -f", "bfd_instance": nil,
        "garp_group": nil, "net_namespace": nil,
    ]

    /// HAProxy `global` keywords.
    static let haproxyGlobal: [String: String?] = [
        "nbproc": "hactl is one process; use nbthread", "cpu-map": nil, "lua-load": nil, "lua-prepend-path": nil,
        "uid": "use user", "gid": "use group", "ulimit-n": "hactl sizes descriptors from maxconn",
        "spread-checks": nil, "node": nil, "description": nil, "master-worker": "hactl reloads in process",
        "hard-stop-after": nil, "server-state-file": nil,
        "server-state-base": nil, "setenv": nil, "presetenv": nil, "resetenv": nil, "unsetenv": nil,
        "h1-case-adjust": nil,
        "ssl-engine": nil, "ssl-mode-async": nil, "maxsslconn": nil, "maxconnrate": nil, "maxsessrate": nil,
        "maxpipes": nil, "noepoll": nil, "nosplice": nil, "busy-polling": nil, "quiet": nil, "insecure-fork-wanted": nil,
        "external-check": nil, "stats bind-process": nil, "default-path": nil, "zero-warning": nil, "strict-limits": nil,
        "pp2-never-send-local": nil, "numa-cpu-mapping": nil, "cluster-secret": nil, "ssl-load-extra-files": nil, "unix-bind": nil, "expose-experimental-directives": nil,
        "tune.maxaccept": nil, "tune.maxpollevents": nil, "tune.ssl.cachesize": nil,
        "tune.ssl.lifetime": nil, "tune.ssl.maxrecord": nil, "tune.h2.max-concurrent-streams": nil,
    ]

    /// HAProxy proxy keywords (`frontend`, `backend`, `listen`, `defaults`).
    static let haproxyProxy: [String: String?] = [
"tcp-request": nil, "tcp-response": nil,
                "rspadd": "removed from HAProxy 2.1", "reqadd": "removed from HAProxy 2.1", "reqrep": "removed from HAProxy 2.1",
        "rsprep": "removed from HAProxy 2.1", "reqidel": "removed from HAProxy 2.1", "reqdel": "removed from HAProxy 2.1",
        "source": nil, "dispatch": nil, "persist": nil, "server-template": nil, "filter": nil, "use-server": nil,
        "force-persist": nil, "ignore-persist": nil, "email-alert": nil, "declare": nil, "errorloc": "use errorfile",
        "errorloc302": "use errorfile", "errorloc303": "use errorfile", "errorfiles": "use errorfile",
        "tcp-check": "hactl checks TCP by connecting", "external-check": nil, "rate-limit": nil, "bind-process": nil,
        "grace": nil, "id": nil, "description": nil, "disabled": nil, "enabled": nil, "backlog": nil,
        "max-keep-alive-queue": nil, "load-server-state-from-file": nil, "http-send-name-header": nil,
        "dynamic-cookie-key": nil, "balance-url-param": nil, "redisp": "use option redispatch", "contimeout": "use timeout connect",
        "clitimeout": "use timeout client", "srvtimeout": "use timeout server", "server-state-file-name": nil,
        "http-error": nil, "retry-on": nil, "guid": nil,
    ]

    /// HAProxy `option` names.
    static let haproxyOptions: [String: String?] = [
        "http-use-htx": "HTX is HAProxy's internal representation; hactl has its own",
        "http-tunnel": "removed from HAProxy 2.1", "forceclose": "use option httpclose",
        "http-no-delay": nil, "http-ignore-probes": nil,
        "http-use-proxy-header": nil, "http_proxy": nil, "http-restrict-req-hdr-names": nil,
        "tcpka": nil, "clitcpka": nil, "srvtcpka": nil, "splice-auto": nil, "splice-request": nil, "splice-response": nil,
        "accept-invalid-http-request": nil, "accept-invalid-http-response": nil,
        "allbackups": nil, "checkcache": nil, "contstats": nil, "independent-streams": nil, "ldap-check": nil,
        "mysql-check": nil, "pgsql-check": nil, "redis-check": nil, "smtpchk": nil, "spop-check": nil, "ssl-hello-chk": nil,
        "log-health-checks": nil, "log-separate-errors": nil, "logasap": nil, "nolinger": nil, "originalto": nil,
        "persist": nil, "prefer-last-server": nil, "socket-stats": nil, "tcp-smart-accept": nil, "tcp-smart-connect": nil,
        "transparent": nil, "disable-h2-upgrade": nil, "h1-case-adjust-bogus-client": nil, "h1-case-adjust-bogus-server": nil,
        "external-check": nil, "tcp-check": "hactl checks TCP by connecting", "httpslog": nil, "dontlog-normal": nil,
    ]

    /// `http-request` actions.
    static let httpRequestActions: [String: String?] = [
        "unset-var": nil, "capture": nil, "lua": nil, "auth": nil, "silent-drop": nil,
        "reject": nil, "set-uri": nil, "set-method": nil, "replace-uri": nil, "set-log-level": nil, "set-nice": nil,
        "set-tos": nil, "set-mark": nil, "track-sc0": nil, "track-sc1": nil, "track-sc2": nil, "sc-inc-gpc0": nil,
        "set-src": nil, "set-dst": nil, "cache-use": nil, "wait-for-body": nil, "wait-for-handshake": nil,
"normalize-uri": nil, "early-hint": nil, "do-resolve": nil,
        "add-acl": nil, "del-acl": nil, "set-map": nil, "del-map": nil, "disable-l7-retry": nil, "strict-mode": nil,
        "set-timeout": nil, "send-spoe-group": nil, "set-priority-class": nil, "set-priority-offset": nil,
    ]

    /// `server` / `default-server` options.
    static let serverOptions: [String: String?] = [
        "agent-check": nil, "agent-port": nil, "agent-inter": nil, "agent-addr": nil, "agent-send": nil,
        "resolvers": "server names are resolved once at start", "resolve-prefer": nil, "init-addr": nil,
        "on-error": nil, "on-marked-down": nil, "on-marked-up": nil, "error-limit": nil, "track": nil, "redir": nil,
        "send-proxy-v2": nil, "send-proxy-v2-ssl": nil, "proxy-v2-options": nil,
        "npn": nil, "no-sslv3": nil, "force-tlsv12": nil,
        "check-send-proxy": nil, "check-alpn": nil, "pool-max-conn": nil, "pool-purge-delay": nil,
        "pool-low-conn": nil, "max-reuse": nil, "minconn": nil, "maxqueue": nil, "namespace": nil, "id": nil,
        "non-stick": nil, "source": nil, "usesrc": nil, "tfo": nil, "ws": nil, "proto": nil, "socks4": nil,
        "resolve-opts": nil, "resolve-net": nil, "tcp-ut": nil, "allow-0rtt": nil, "no-check": nil, "no-agent-check": nil,
    ]

    /// `bind` options.
    static let bindOptions: [String: String?] = [
        "accept-proxy": nil,
        "curves": nil, "ecdhe": nil, "npn": nil,
        "no-sslv3": "use ssl-min-ver", "no-tlsv10": "use ssl-min-ver", "no-tlsv11": "use ssl-min-ver",
        "no-tlsv12": "use ssl-min-ver / ssl-max-ver", "no-tlsv13": "use ssl-max-ver", "force-tlsv12": "use ssl-min-ver and ssl-max-ver",
        "prefer-client-ciphers": nil, "tfo": nil, "defer-accept": nil, "mss": nil, "nice": nil,
        "process": nil, "thread": nil, "tcp-ut": nil, "backlog": nil, "maxconn": nil, "id": nil, "level": nil,
        "mode": nil, "user": nil, "group": nil, "uid": nil, "gid": nil, "namespace": nil, "expose-fd": nil,
        "allow-0rtt": nil, "generate-certificates": nil, "no-ca-names": nil, "quic-cc-algo": nil, "proto": nil,
    ]

    /// keepalived `global_defs` keywords.
    static let keepalivedGlobal: [String: String?] = [
        "enable_traps": nil, "enable_snmp_vrrp": nil, "enable_snmp_checker": nil, "enable_snmp_rfc": nil,
        "enable_snmp_rfcv2": nil, "enable_snmp_rfcv3": nil, "snmp_socket": nil, "vrrp_strict": nil, "vrrp_iptables": nil,
        "vrrp_ipsets": nil, "nftables": nil, "vrrp_skip_check_adv_addr": nil, "vrrp_garp_interval": nil,
        "vrrp_gna_interval": nil, "notify_fifo": nil, "notify_fifo_script": nil, "vrrp_notify_fifo": nil,
        "vrrp_notify_fifo_script": nil, "lvs_sync_daemon": nil, "lvs_id": "use router_id", "dynamic_interfaces": nil,
        "max_auto_priority": nil, "vrrp_no_swap": nil, "checker_no_swap": nil, "vrrp_priority": nil,
        "checker_priority": nil, "vrrp_lower_prio_no_advert": nil, "vrrp_higher_prio_send_advert": nil,
        "vrrp_garp_lower_prio_delay": nil, "vrrp_garp_lower_prio_repeat": nil, "vrrp_garp_master_refresh": nil,
        "vrrp_garp_master_refresh_repeat": nil, "vrrp_check_unicast_src": nil, "vrrp_rx_bufs_policy": nil,
        "lvs_timeouts": nil, "lvs_flush": nil, "smtp_helo_name": nil, "default_interface": nil,
        "process_names": nil, "process_name": nil, "vrrp_process_name": nil, "checker_process_name": nil,
        "script_security": nil, "vrrp_startup_delay": nil, "vrrp_netlink_cmd_rcv_bufs": nil,
        "vrrp_netlink_monitor_rcv_bufs": nil, "vrrp_min_garp": nil, "vrrp_version_3_checksum_as_v2": nil,
    ]

    /// keepalived `vrrp_instance` keywords.
    static let keepalivedInstance: [String: String?] = [
        "use_vmac": "hactl moves the address and announces it with gratuitous ARP / NA",
        "vmac_xmit_base": nil, "native_ipv6": nil, "virtual_routes": nil, "virtual_rules": nil, "track_bfd": nil,
        "track_process": nil, "lvs_sync_daemon_interface": nil, "strict_mode": nil, "kernel_rx_buf_size": nil,
        "debug": nil, "linkbeat_use_polling": nil, "notify_master_rx_lower_pri": nil, "accept": nil, "no_accept": nil,
        "skip_check_adv_addr": nil, "check_unicast_src": nil, "unicast_ttl": nil, "unicast_fault_no_peer": nil,
        "lower_prio_no_advert": nil, "promote_secondaries": nil, "notify_deleted": nil, "mcast_dst_ip": nil,
        "track_src_ip": nil, "vrf": nil, "use_vmac_addr": nil, "use_ipvlan": nil, "down_timer_adverts": nil,
        "garp_extra_if": nil, "notify_priority_changes": nil,
    ]

    /// keepalived `virtual_server` keywords.
    static let keepalivedVirtualServer: [String: String?] = [
        "sorry_server": nil, "sorry_server_inhibit": nil, "virtualhost": nil, "alpha": nil, "omega": nil,
        "quorum": nil, "quorum_up": nil, "quorum_down": nil, "hysteresis": nil, "ha_suspend": nil, "ops": nil,
        "persistence_granularity": nil, "lb_flags": nil, "inhibit_on_failure": nil, "retry": nil, "delay_before_retry": nil,
        "warmup": nil, "smtp_alert": nil, "notify_up": nil, "notify_down": nil,
    ]
}
