import HACore
@testable import HAConfig
import Testing

/// One bad input and the exact errors it must produce (`file:line:column: error: 'keyword': message`).
struct BadInput: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var dialect: ConfigurationLoader.Dialect? = nil
    var expected: [String]

    var testDescription: String { name }
}

private let web = """
backend web
    server s1 198.18.0.1:80
"""

private let vip = "    virtual_ipaddress 198.18.0.10/24"

/// CONFIG.md "Errors": every error names file:line:column, the keyword, what was expected and,
/// for a misspelt keyword, the nearest valid one.
@Suite struct BadInputTests {
    static let cases: [BadInput] = [
        // Sections and keywords
        BadInput(name: "misspelt keyword suggests the nearest", text: "backend web\n    balanse roundrobin",
                 expected: ["t.conf:2:5: error: 'balanse': unknown keyword in 'backend' section (did you mean 'balance'?)"]),
        BadInput(name: "misspelt section header", text: "backnd web\n    balance roundrobin",
                 expected: ["t.conf:1:1: error: 'backnd': unknown section (did you mean 'backend'?)"]),
        BadInput(name: "line before any section", text: "    maxconn 10\nglobal",
                 expected: ["t.conf:1:5: error: 'maxconn': this line is outside any section: expected a section such as global, defaults, frontend, backend, listen, vrrp_instance first"]),
        BadInput(name: "unsupported option names HAProxy", text: "defaults\n    option http-use-htx",
                 expected: ["t.conf:2:5: error: 'option http-use-htx': `option http-use-htx` is an HAProxy keyword hactl does not support (HTX is HAProxy's internal representation; hactl has its own)"]),
        BadInput(name: "nbproc above one", text: "global\n    nbproc 4",
                 expected: ["t.conf:2:5: error: 'nbproc': `nbproc 4` is an HAProxy keyword hactl does not support (hactl is one process; use nbthread)"]),
        BadInput(name: "unsupported section", text: "resolvers dns\n    nameserver a 198.18.0.1:53",
                 expected: ["t.conf:1:1: error: 'resolvers': `resolvers` is an HAProxy section hactl does not support (server names are resolved once at start)"]),
        BadInput(name: "peers without a key", text: "peers pair\n    peer n1 198.18.0.10:7100\n    peer n2 198.18.0.11:7100",
                 expected: ["t.conf:1:1: error: 'peer-key': 'peers pair' has no 'peer-key FILE': the peer channel only runs authenticated, with a key file shared by the nodes"]),
        BadInput(name: "peer with a host name", text: "peers pair\n    peer n1 lb1:7100\n    peer n2 198.18.0.11:7100\n    peer-key /k",
                 expected: ["t.conf:1:1: error: 'peers': 'peers pair' needs a 'peer NAME ADDRESS:PORT' line for each node of the pair, this one included",
                            "t.conf:2:13: error: 'peer': expected an IP address and port such as 198.18.0.11:7100, got 'lb1:7100' (names are not resolved)"]),
        BadInput(name: "three peers", text: "global\n    localpeer n1\npeers pair\n    peer n1 198.18.0.10:7100\n    peer n2 198.18.0.11:7100\n    peer n3 198.18.0.12:7100\n    peer-key /k",
                 expected: ["t.conf:3:1: error: 'peers': 'peers pair' declares 3 peers; hactl runs pairs: exactly two 'peer' lines, this node and its peer"]),
        BadInput(name: "stick table in peers", text: "peers pair\n    peer n1 198.18.0.10:7100\n    peer n2 198.18.0.11:7100\n    peer-key /k\n    table t type ip size 1k",
                 expected: ["t.conf:5:5: error: 'table': `table` is an HAProxy keyword hactl does not support (declare the table in a backend: stick-table ... peers NAME)"]),
        BadInput(name: "HAProxy conditional block", text: "global\n.if defined(TLS)\n    maxconn 10\n.endif",
                 expected: ["t.conf:2:1: error: '.if': `.if` is an HAProxy keyword hactl does not support (conditional blocks and directives are not read; keep one configuration per deployment)",
                            "t.conf:4:1: error: '.endif': `.endif` is an HAProxy keyword hactl does not support (conditional blocks and directives are not read; keep one configuration per deployment)"]),
        BadInput(name: "stats uri without a slash", text: "listen stats\n    bind :8404\n    stats uri stats",
                 expected: ["t.conf:3:15: error: 'stats uri': expected a URI prefix starting with '/', got 'stats'"]),
        BadInput(name: "bind in a backend", text: "backend web\n    bind :80",
                 expected: ["t.conf:2:5: error: 'bind': not allowed in a 'backend' section (allowed in: frontend, listen)"]),
        BadInput(name: "server in a frontend", text: "frontend f\n    bind :80\n    server s 198.18.0.1:80",
                 expected: ["t.conf:3:5: error: 'server': not allowed in a 'frontend' section (allowed in: backend, listen)"]),
        BadInput(name: "option for the other side", text: "backend web\n    option httplog",
                 expected: ["t.conf:2:5: error: 'option httplog': applies to the frontend side and has no effect in a 'backend' section"]),
        BadInput(name: "misspelt option", text: "defaults\n    option redispach",
                 expected: ["t.conf:2:12: error: 'option redispach': unknown option (did you mean 'redispatch'?)"]),
        BadInput(name: "mode with a typo", text: "defaults\n    mode htp",
                 expected: ["t.conf:2:10: error: 'mode': expected 'http' or 'tcp', got 'htp' (did you mean 'http'?)"]),
        BadInput(name: "balance with a typo", text: "backend web\n    balance roundrobbin",
                 expected: ["t.conf:2:13: error: 'balance': unknown algorithm 'roundrobbin': expected one of roundrobin, static-rr, leastconn, first, source, uri, url_param, hdr(NAME), random (did you mean 'roundrobin'?)"]),
        // Values
        BadInput(name: "timeout with a bad unit", text: "defaults\n    timeout connect 5x",
                 expected: ["t.conf:2:21: error: 'timeout connect': expected a duration such as 5s, 500ms or 1m, got '5x'"]),
        BadInput(name: "misspelt timeout name", text: "defaults\n    timeout conect 5s",
                 expected: ["t.conf:2:13: error: 'timeout': unknown timeout 'conect': expected one of connect, client, server, queue, http-request, http-keep-alive, client-fin, server-fin, tunnel, check, tarpit (did you mean 'connect'?)"]),
        BadInput(name: "timeout without a value", text: "defaults\n    timeout connect",
                 expected: ["t.conf:2:21: error: 'timeout connect': expected a duration"]),
        BadInput(name: "maxconn not a number", text: "global\n    maxconn lots",
                 expected: ["t.conf:2:13: error: 'maxconn': expected a connection count (an integer from 1 to 10000000), got 'lots'"]),
        BadInput(name: "extra word after a keyword", text: "defaults\n    retries 3 4",
                 expected: ["t.conf:2:15: error: 'retries': unexpected '4': expected the end of the line"]),
        // Servers and binds
        BadInput(name: "server port out of range", text: "backend web\n    server s1 198.18.0.1:70000",
                 expected: ["t.conf:2:15: error: 'server': expected a port from 1 to 65535, got '70000'"]),
        BadInput(name: "server weight out of range", text: "backend web\n    server s1 198.18.0.1:80 weight 300",
                 expected: ["t.conf:2:36: error: 'server weight': a weight must be from 0 to 256, got 300"]),
        BadInput(name: "misspelt server option", text: "backend web\n    server s1 198.18.0.1:80 chek",
                 expected: ["t.conf:2:29: error: 'server': unknown server option 'chek' (did you mean 'check'?)"]),
        BadInput(name: "unsupported server option", text: "backend web\n    server s1 198.18.0.1:80 resolvers dns",
                 expected: ["t.conf:2:29: error: 'server': `server ... resolvers` is an HAProxy keyword hactl does not support (server names are resolved once at start)"]),
        BadInput(name: "server address is not an address", text: "backend web\n    server s1 198.18.0.1/24:80",
                 expected: ["t.conf:2:15: error: 'server': expected an IP address or host name with an optional port, got '198.18.0.1/24:80'"]),
        BadInput(name: "duplicate server", text: "backend web\n    server s1 198.18.0.1:80\n    server s1 198.18.0.2:80",
                 expected: ["t.conf:3:5: error: 'server': duplicate server 's1' (first defined at t.conf:2:5)"]),
        BadInput(name: "bind without port", text: "frontend f\n    bind 198.18.0.1\n    default_backend web\n" + web,
                 expected: ["t.conf:2:10: error: 'bind': expected ADDRESS:PORT with a port, such as :80 or 198.18.0.1:443, got '198.18.0.1'",
                            "t.conf:1:1: error: 'frontend': frontend 'f' has no 'bind' line: expected an address to accept clients on, such as 'bind :80'"].reversed()),
        BadInput(name: "ssl without crt", text: "frontend f\n    bind :443 ssl",
                 expected: ["t.conf:1:1: error: 'frontend': frontend 'f' has no 'bind' line: expected an address to accept clients on, such as 'bind :80'",
                            "t.conf:2:5: error: 'bind': 'ssl' needs 'crt PATH' (a PEM file or a directory of them) or 'crt-list FILE'"]),
        BadInput(name: "address bound twice", text: "frontend a\n    bind :80\nfrontend b\n    bind *:80",
                 expected: ["t.conf:4:10: error: 'bind': *:80 is already bound by 'a' at t.conf:2:10"]),
        // References
        BadInput(name: "unknown default backend", text: "frontend f\n    bind :80\n    default_backend webb\n" + web,
                 expected: ["t.conf:3:5: error: 'default_backend': no backend named 'webb' (did you mean 'web'?)"]),
        BadInput(name: "unknown use_backend", text: "frontend f\n    bind :80\n    use_backend api if TRUE\n" + web,
                 expected: ["t.conf:3:5: error: 'use_backend': no backend named 'api'"]),
        BadInput(name: "unknown acl name", text: "frontend f\n    bind :80\n    acl is_api path_beg /api\n    use_backend web if is_apii\n" + web,
                 expected: ["t.conf:4:24: error: 'is_apii': no acl named 'is_apii' in 'f' (did you mean 'is_api'?)"]),
        BadInput(name: "duplicate backend", text: web + "\n" + web,
                 expected: ["t.conf:3:1: error: 'backend': duplicate backend 'web' (first defined at t.conf:1:1)"]),
        BadInput(name: "http frontend on a tcp backend", text: "frontend f\n    mode http\n    bind :80\n    default_backend web\n" + web,
                 expected: ["t.conf:4:5: error: 'default_backend': frontend 'f' is in mode http but backend 'web' is in mode tcp (t.conf:5:1)"]),
        BadInput(name: "unknown defaults parent", text: "defaults base\n    mode http\nbackend web from bas",
                 expected: ["t.conf:3:18: error: 'from': no 'defaults bas' section above this line (did you mean 'base'?)"]),
        // ACLs and rules
        BadInput(name: "misspelt acl criterion", text: "frontend f\n    bind :80\n    acl a path_begin /x",
                 expected: ["t.conf:3:11: error: 'acl': unknown ACL criterion 'path_begin' (did you mean 'path_beg'?)"]),
        BadInput(name: "a broken acl is reported once, not again where it is used", text: "frontend f\n    bind :80\n    acl a url_ip 198.18.0.1\n    use_backend web if a\n" + web,
                 expected: ["t.conf:3:11: error: 'acl': unknown ACL criterion 'url_ip' (did you mean 'urlp'?)"]),
        BadInput(name: "acl without pattern", text: "frontend f\n    bind :80\n    acl a path_beg",
                 expected: ["t.conf:3:20: error: 'acl': expected at least one value to match with 'path_beg'"]),
        BadInput(name: "src with a bad network", text: "frontend f\n    bind :80\n    acl a src 198.18.0.0/40",
                 expected: ["t.conf:3:15: error: 'acl': expected an address or network such as 198.18.0.0/15, got '198.18.0.0/40'"]),
        BadInput(name: "invalid regular expression", text: "frontend f\n    bind :80\n    acl a path_reg ^/(api",
                 expected: ["t.conf:3:20: error: 'acl': invalid regular expression '^/(api'"]),
        BadInput(name: "unclosed anonymous acl", text: "frontend f\n    mode http\n    bind :80\n    http-request deny if { ssl_fc",
                 expected: ["t.conf:4:26: error: 'http-request deny': anonymous ACL opened with '{' is not closed: expected ' }'"]),
        BadInput(name: "anonymous acl without blanks", text: "frontend f\n    mode http\n    bind :80\n    http-request deny if {ssl_fc}",
                 expected: ["t.conf:4:26: error: 'http-request deny': braces of an anonymous ACL need blanks around them, as in '{ ssl_fc }'"]),
        BadInput(name: "unsupported http-request action", text: "frontend f\n    mode http\n    bind :80\n    http-request set-uri /x",
                 expected: ["t.conf:4:18: error: 'http-request set-uri': `http-request set-uri` is an HAProxy keyword hactl does not support"]),
        BadInput(name: "http-request in tcp mode", text: "frontend f\n    mode tcp\n    bind :80\n    http-request deny",
                 expected: ["t.conf:4:5: error: 'http-request': needs mode http; 'f' is in mode tcp"]),
        BadInput(name: "redirect with a bad code", text: "frontend f\n    mode http\n    bind :80\n    redirect scheme https code 200",
                 expected: ["t.conf:4:32: error: 'redirect': expected a redirect status (301, 302, 303, 307 or 308), got '200'"]),
        BadInput(name: "http-check without option httpchk", text: "backend web\n    http-check expect status 200",
                 expected: ["t.conf:2:5: error: 'http-check': needs 'option httpchk' in the same section or its defaults"]),
        BadInput(name: "cookie maxidle without insert", text: "backend web\n    mode http\n    cookie SRV prefix maxidle 1h",
                 expected: ["t.conf:3:5: error: 'cookie': maxidle and maxlife work only with 'insert'"]),
        BadInput(name: "cookie in tcp mode", text: "backend web\n    mode tcp\n    cookie SRV insert",
                 expected: ["t.conf:3:5: error: 'cookie': cookie persistence needs mode http; 'web' is in mode tcp (use 'balance source')"]),
        // Lexical
        BadInput(name: "unterminated quote", text: "global\n    pidfile \"/run/x.pid",
                 expected: ["t.conf:2:13: error: '\"': unterminated quote: expected a closing \" before the end of the line"]),
        BadInput(name: "unset environment variable", text: "global\n    pidfile \"${RUNDIR}/x.pid\"",
                 expected: ["t.conf:2:14: error: '${RUNDIR}': environment variable 'RUNDIR' is not set; give a default with \"${RUNDIR-value}\" or set it"]),
        // VRRP in hactl.conf
        BadInput(name: "virtual_router_id out of range", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 256\n" + vip,
                 expected: ["t.conf:1:1: error: 'vrrp_instance': vrrp_instance 'VI' has no 'virtual_router_id' line: expected an ID from 1 to 255 shared by the nodes of this virtual router",
                            "t.conf:3:23: error: 'virtual_router_id': a virtual router ID must be from 1 to 255, got 256"]),
        BadInput(name: "priority zero", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n    priority 0\n" + vip,
                 expected: ["t.conf:4:14: error: 'priority': a priority must be from 1 to 255, got 0"]),
        BadInput(name: "state misspelt", text: "vrrp_instance VI\n    state MASTR\n    interface eth0\n    virtual_router_id 1\n" + vip,
                 expected: ["t.conf:2:11: error: 'state': expected MASTER or BACKUP, got 'MASTR' (did you mean 'MASTER'?)"]),
        BadInput(name: "duplicate VRID on one interface", text: "vrrp_instance A\n    interface eth0\n    virtual_router_id 7\n" + vip + "\nvrrp_instance B\n    interface eth0\n    virtual_router_id 7\n    virtual_ipaddress 198.18.0.11/24",
                 expected: ["t.conf:7:5: error: 'virtual_router_id': virtual_router_id 7 on eth0 (IPv4) is already used by vrrp_instance 'A' at t.conf:3:5"]),
        BadInput(name: "fractional advert_int on VRRPv2", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n    advert_int 0.5\n" + vip,
                 expected: ["t.conf:4:5: error: 'advert_int': VRRPv2 advertises in whole seconds from 1 to 255 (RFC 3768 §5.3.7), got 0.5 s; use 'vrrp_version 3' for shorter intervals"]),
        BadInput(name: "advert_int beyond VRRPv3 range", text: "global\n    vrrp_version 3\nvrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n    advert_int 50\n" + vip,
                 expected: ["t.conf:6:5: error: 'advert_int': VRRPv3 advertises in centiseconds from 0.01 to 40.95 s (RFC 9568 §5.2.7), got 50 s"]),
        BadInput(name: "bad virtual address", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n    virtual_ipaddress 198.18.0.300/24",
                 expected: ["t.conf:1:1: error: 'vrrp_instance': vrrp_instance 'VI' has no 'virtual_ipaddress': expected the address(es) it moves between nodes",
                            "t.conf:4:23: error: 'virtual_ipaddress': expected an IPv4 or IPv6 address with an optional /prefix, got '198.18.0.300/24'"]),
        BadInput(name: "prefix too long", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n" + vip + "\n    virtual_ipaddress 198.18.0.11/33",
                 expected: ["t.conf:5:23: error: 'virtual_ipaddress': expected a prefix length from 0 to 32, got '/33'"]),
        BadInput(name: "mixed address families", text: "global\n    vrrp_version 3\nvrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n" + vip + "\n    virtual_ipaddress 2001:db8::10/64",
                 expected: ["t.conf:7:23: error: 'virtual_ipaddress': vrrp_instance 'VI' mixes IPv4 and IPv6 addresses: a virtual router carries one family (RFC 9568 §5.2.9); use two instances"]),
        BadInput(name: "unknown track_script", text: "vrrp_script chk_haproxy\n    script \"killall -0 haproxy\"\nvrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n" + vip + "\n    track_script chk_haproxi",
                 expected: ["t.conf:7:18: error: 'track_script': no vrrp_script named 'chk_haproxi' (did you mean 'chk_haproxy'?)"]),
        BadInput(name: "password longer than eight", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n    authentication PASS secret123\n" + vip,
                 expected: ["t.conf:4:25: error: 'authentication': a VRRP password is 1 to 8 characters (RFC 2338 §5.3.6); keepalived would cut 'secret123' to 'secret12'"]),
        BadInput(name: "authentication on VRRPv3", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n    version 3\n    authentication PASS x\n" + vip,
                 expected: ["t.conf:5:5: error: 'authentication': VRRPv3 has no authentication (RFC 9568 §9); remove it or use version 2"]),
        BadInput(name: "instance without addresses", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1",
                 expected: ["t.conf:1:1: error: 'vrrp_instance': vrrp_instance 'VI' has no 'virtual_ipaddress': expected the address(es) it moves between nodes"]),
        BadInput(name: "sync group with an unknown member", text: "vrrp_instance VI_1\n    interface eth0\n    virtual_router_id 1\n" + vip + "\nvrrp_sync_group G\n    group VI_1 VI_2",
                 expected: ["t.conf:5:1: error: 'group': no vrrp_instance named 'VI_2' for sync group 'G' (did you mean 'VI_1'?)"]),
        BadInput(name: "unicast peer not an address", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n" + vip + "\n    unicast_peer peer-b",
                 expected: ["t.conf:5:18: error: 'unicast_peer': expected an IP address, got 'peer-b'"]),
        BadInput(name: "no applies only to track_proxy", text: "vrrp_instance VI\n    interface eth0\n    virtual_router_id 1\n" + vip + "\n    no nopreempt",
                 expected: ["t.conf:5:8: error: 'no nopreempt': 'no' applies only to 'track_proxy' in a vrrp_instance"]),
        BadInput(name: "VRRP section in haproxy.cfg", text: "vrrp_instance VI\n    interface eth0", dialect: .haproxy,
                 expected: ["t.conf:1:1: error: 'vrrp_instance': 'vrrp_instance' is not an HAProxy section; VRRP sections belong in hactl.conf or keepalived.conf"]),
        // keepalived.conf
        BadInput(name: "keepalived misspelt instance keyword", text: "vrrp_instance VI {\n    interface eth0\n    virtual_routr_id 1\n}", dialect: .keepalived,
                 expected: ["k.conf:1:1: error: 'vrrp_instance': vrrp_instance 'VI' has no 'virtual_router_id' line: expected an ID from 1 to 255 shared by the nodes of this virtual router",
                            "k.conf:3:5: error: 'virtual_routr_id': unknown keyword in 'vrrp_instance' section (did you mean 'virtual_router_id'?)"]),
        BadInput(name: "keepalived use_vmac", text: "vrrp_instance VI {\n    interface eth0\n    virtual_router_id 1\n    use_vmac\n    virtual_ipaddress {\n        198.18.0.10\n    }\n}", dialect: .keepalived,
                 expected: ["k.conf:4:5: error: 'use_vmac': `use_vmac` is a keepalived keyword hactl does not support (hactl moves the address and announces it with gratuitous ARP / NA)"]),
        BadInput(name: "keepalived lb_kind TUN", text: "virtual_server 198.18.0.1 80 {\n    lb_kind TUN\n    real_server 198.18.0.2 80 {\n    }\n}", dialect: .keepalived,
                 expected: ["k.conf:2:5: error: 'lb_kind TUN': `lb_kind TUN` needs the kernel's IPVS tunnelling, which hactl does not use: hactl proxies each connection itself. Use 'lb_kind NAT' to import this virtual_server as a 'listen' section in mode tcp"]),
        BadInput(name: "keepalived fwmark virtual server", text: "virtual_server fwmark 123 {\n    lb_algo rr\n}", dialect: .keepalived,
                 expected: ["k.conf:1:1: error: 'virtual_server fwmark': `virtual_server fwmark` is a keepalived keyword hactl does not support (hactl listens on an address and port)"]),
        BadInput(name: "keepalived unmapped scheduler", text: "virtual_server 198.18.0.1 80 {\n    lb_algo dh\n    real_server 198.18.0.2 80 {\n    }\n}", dialect: .keepalived,
                 expected: ["k.conf:2:13: error: 'lb_algo': `lb_algo dh` is a keepalived keyword hactl does not support (hactl maps rr, wrr, lc, wlc and sh)"]),
        BadInput(name: "keepalived UDP service", text: "virtual_server 198.18.0.1 53 {\n    protocol UDP\n    real_server 198.18.0.2 53 {\n    }\n}", dialect: .keepalived,
                 expected: ["k.conf:2:14: error: 'protocol': `protocol UDP` is a keepalived keyword hactl does not support (hactl proxies TCP)"]),
        BadInput(name: "keepalived static addresses", text: "static_ipaddress {\n    198.18.0.5/24 dev eth0\n}", dialect: .keepalived,
                 expected: ["k.conf:1:1: error: 'static_ipaddress': `static_ipaddress` is a keepalived keyword hactl does not support (configure static addresses with the system's network tools)"]),
        BadInput(name: "HAProxy section in a file with keepalived blocks", text: "global_defs {\n    router_id A\n}\nfrontend f\n    bind :80",
                 expected: ["t.conf:4:1: error: 'frontend': 'frontend' is an HAProxy section, but this file reads as keepalived.conf because it uses '{ }' blocks: keep HAProxy sections in their own file, or write the VRRP sections one item per line without braces"]),
        BadInput(name: "keepalived conditional line", text: "@node1 global_defs {\n    router_id A\n}", dialect: .keepalived,
                 expected: ["k.conf:1:1: error: '@node1': `@NAME` conditional lines are a keepalived feature hactl does not support: give each node the lines it needs, or use 'hactl run --role'"]),
        BadInput(name: "keepalived parameter definition", text: "$IFACE=eth0", dialect: .keepalived,
                 expected: ["k.conf:1:1: error: '$IFACE=eth0': `$NAME=value` parameters are a keepalived feature hactl does not support: hactl.conf expands \"${NAME}\" environment variables instead"]),
        BadInput(name: "unsupported keepalived block keyword says unsupported", text: "vrrp_instance VI {\n    interface eth0\n    virtual_router_id 1\n    virtual_routes {\n        198.18.1.0/24 via 198.18.0.1\n    }\n    virtual_ipaddress {\n        198.18.0.10\n    }\n}", dialect: .keepalived,
                 expected: ["k.conf:4:5: error: 'virtual_routes': `virtual_routes` is a keepalived keyword hactl does not support"]),
        BadInput(name: "keepalived section without block", text: "vrrp_script chk", dialect: .keepalived,
                 expected: ["k.conf:1:17: error: 'vrrp_script': expected '{' to open the vrrp_script block"]),
    ]

    @Test(arguments: cases)
    func test_badInput_reportsExactLocationAndMessage(_ input: BadInput) {
        let file = input.dialect == .keepalived ? "k.conf" : "t.conf"
        var found: [String] = []
        do {
            _ = try ConfigurationLoader.parse(text: input.text, file: file, dialect: input.dialect, environment: [:])
        } catch {
            found = error.errors.map(\.description)
        }
        #expect(found == input.expected)
    }

    @Test func test_badInputTable_holdsAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
    }

    @Test func test_everyErrorOfAFile_isReportedAtOnceInLineOrder() {
        let text = """
        global
            maxconn lots
        backend web
            balanse roundrobin
            server s1 198.18.0.1:99999
        """
        let lines = errors(of: text).map(\.location.line)
        #expect(lines == [2, 4, 5])
    }

    @Test func test_errorsDescription_printsOneErrorPerLine() {
        let errors = ConfigErrors([
            ConfigError(location: HACore.SourceLocation(file: "a", line: 1, column: 1), keyword: "x", message: "m1"),
            ConfigError(location: HACore.SourceLocation(file: "a", line: 2, column: 3), keyword: "y", message: "m2"),
        ])
        #expect(errors.description == "a:1:1: error: 'x': m1\na:2:3: error: 'y': m2")
    }
}
